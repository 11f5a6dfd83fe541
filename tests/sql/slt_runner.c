/* slt_runner.c: Dreambase's sqllogictest runner, a libpq client.
 *
 * Usage: slt_runner [--dsn DSN] [--engine NAME] [--protocol simple|extended] [--timeout S]
 *                   [--verbose] [--stop-on-fail] [--parse-only] [--rewrite] FILE.slt|DIR...
 * A directory stands for its *.slt files in name order. Each file gets its own connection(s),
 * opened with DSN (libpq's PG* environment variables fill in what it leaves out). Every
 * failure is printed with file:line, the SQL, what was expected and what came back; a summary
 * line follows. The exit status is 0 when every record passed (or was skipped), 1 on any
 * failure, 2 on a usage error or a file that does not parse.
 *   --engine       the name that `skipif` / `onlyif` compare with (default dreambase)
 *   --protocol     simple: one Query message per record (default); extended: Parse/Bind/
 *                  Execute with the unnamed statement, so a record must be one statement.
 *                  Results are always requested as text.
 *   --timeout      seconds a record may run before it is cancelled and fails (default 60)
 *   --parse-only   check the format of every file and count records; needs no server
 *   --rewrite      run, then write each file back with the actual results of its queries
 *                  (the "completion" mode used to write new tests: review the diff!)
 *
 * FORMAT. A file is a sequence of records separated by blank lines. Lines starting with '#'
 * between records are comments.
 *
 *   statement ok                    the SQL must succeed (rows it returns are ignored)
 *   statement count N               ... and its command tag must report N rows
 *   statement error SQLSTATE [RE]   the SQL must fail with this SQLSTATE and, if RE (a POSIX
 *                                   extended regex, the rest of the line) is given, a primary
 *                                   message RE matches (unanchored: use ^...$ to anchor)
 *   query TYPES [nosort|rowsort|valuesort] [colnames]
 *   <sql>
 *   ----
 *   <expected rows, one per line>
 *
 * The SQL of a record is the following lines up to a blank line (or "----" for a query); it
 * must not contain blank lines and is sent as one string, so it is best one statement.
 * Records run in order, each in its own implicit transaction unless the file opens one with
 * BEGIN. TYPES has one letter per column and is checked against the column's type OID:
 * I = int2/int4/int8/oid, R = float4/float8/numeric, B = bool, T = any other type.
 * nosort (default) compares rows in order; rowsort sorts the rows of both sides first;
 * valuesort sorts all values of both sides, ignoring how they are grouped into rows.
 * colnames: the first expected line holds the column names (escaped like values), which are
 * compared too; use it to test how PostgreSQL names columns (?column?, count, case, ...).
 *
 * RESULT TEXT. Values are PostgreSQL's text output. A row is its values joined by " | "
 * (space, bar, space). Inside a value, these are escaped so a row has one reading and lines
 * survive editors: backslash as \\, '|' as \|, newline \n, carriage return \r, tab \t,
 * other control bytes \xHH, and each space at the start or end of a value as \s. SQL NULL is
 * NULL; the empty string is (empty); a value whose text is exactly NULL or (empty) is written
 * \NULL or \(empty). Example: SELECT 'a b', NULL, '', ' x|', 'NULL'::text shows as
 *   a b | NULL | (empty) | \sx\| | \NULL
 *
 * DIRECTIVES (lines of their own, between records):
 *   skipif ENGINE / onlyif ENGINE   apply to the record that directly follows; ENGINE is
 *                                   dreambase or postgresql. Use them for rare, documented
 *                                   differences only.
 *   connection NAME                 later records run on connection NAME (opened on first use
 *                                   with the same DSN) until the next `connection`; the first
 *                                   connection is called "default". For concurrency tests.
 *   halt                            stop running this file (combine with onlyif/skipif)
 *   hash-threshold N                accepted and ignored: results are never hashed here
 * A file must end with every connection outside a transaction block. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libpq-fe.h>

/* Columns of one query: a wider result is a test that should be split. */
#define SLT_COLUMNS_MAX 64
/* skipif/onlyif lines in front of one record. */
#define SLT_CONDITIONS_MAX 4
/* Connections one file may open: concurrency tests need two or three. */
#define SLT_CONNECTIONS_MAX 8
/* Engine and connection names. */
#define SLT_NAME_BYTES_MAX 32
/* Lines of expected and actual rows printed for one failure; the rest is summarised. */
#define SLT_REPORT_ROWS_MAX 40
/* Default seconds a record may run: a hung server must not hang the test run. */
#define SLT_TIMEOUT_S_DEFAULT 60
/* Seconds to wait for a cancelled record's reply before giving its connection up. */
#define SLT_CANCEL_GRACE_S 10
/* Bytes of one error message produced while parsing a file. */
#define SLT_ERR_BYTES_MAX 512

typedef struct slt_err {
    char message[SLT_ERR_BYTES_MAX];
} slt_err;

typedef enum slt_kind {
    SLT_KIND_STATEMENT_OK,
    SLT_KIND_STATEMENT_COUNT,
    SLT_KIND_STATEMENT_ERROR,
    SLT_KIND_QUERY,
    SLT_KIND_CONNECTION,
    SLT_KIND_HALT,
} slt_kind;

typedef enum slt_sort {
    SLT_SORT_NONE,
    SLT_SORT_ROWS,
    SLT_SORT_VALUES,
} slt_sort;

typedef struct slt_condition {
    bool only;                        /* onlyif (true) or skipif (false) */
    char engine[SLT_NAME_BYTES_MAX];
} slt_condition;

typedef struct slt_record {
    slt_kind kind;
    int header_line;                  /* 0-based index of the record's first line */
    int sql_first, sql_end;           /* line range of the SQL, end exclusive */
    int expected_first, expected_end; /* line range of the expected rows (queries) */
    bool has_separator;               /* a query has its "----" line */
    char *sql;                        /* the SQL lines joined with '\n' */
    char types[SLT_COLUMNS_MAX + 1];  /* "" when missing (only with --rewrite) */
    slt_sort sort;
    bool colnames;                    /* the first expected line holds the column names */
    char sqlstate[6];                 /* "" when missing (only with --rewrite) */
    const char *message_re;           /* NULL or the regex, pointing into the file's lines */
    long long count;
    char name[SLT_NAME_BYTES_MAX];    /* the connection of SLT_KIND_CONNECTION */
    slt_condition conditions[SLT_CONDITIONS_MAX];
    int condition_count;
} slt_record;

typedef struct slt_file {
    const char *path;
    char *text;                       /* the whole file; lines point into it */
    char **lines;
    int line_count;
    slt_record *records;
    int record_count;
} slt_file;

typedef struct slt_options {
    const char *dsn;
    const char *engine;
    bool extended;
    int timeout_s;
    bool verbose;
    bool stop_on_fail;
    bool parse_only;
    bool rewrite;
} slt_options;

typedef struct slt_conn {
    char name[SLT_NAME_BYTES_MAX];
    PGconn *pg;
} slt_conn;

/* A growable string; the runner is a short-lived tool, so running out of memory aborts. */
typedef struct slt_buf {
    char *ptr;
    size_t len, cap;
} slt_buf;

typedef struct slt_totals {
    int files, records, statements, queries;
    int passed, failed, skipped, not_run;
    int file_errors;                  /* a file that does not parse or ends in a transaction */
} slt_totals;

/* What running one file needs: its connections, the option set and the counters. */
typedef struct slt_run {
    const slt_options *opt;
    slt_file *file;
    slt_conn conns[SLT_CONNECTIONS_MAX];
    int conn_count;
    int current;                      /* index into conns */
    slt_totals *totals;
    bool stop;                        /* --stop-on-fail fired, or a connection was lost */
    PGresult **results;               /* --rewrite: the result of each query record */
} slt_run;

/* ---- small utilities ------------------------------------------------------------------- */

static void *slt_xmalloc(size_t bytes) {
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        fprintf(stderr, "slt_runner: out of memory\n");
        exit(2);
    }
    return p;
}

static void *slt_xrealloc(void *old, size_t bytes) {
    void *p = realloc(old, bytes ? bytes : 1);
    if (!p) {
        fprintf(stderr, "slt_runner: out of memory\n");
        exit(2);
    }
    return p;
}

static char *slt_xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    return memcpy(slt_xmalloc(n), s, n);
}

static void slt_buf_reserve(slt_buf *b, size_t more) {
    if (b->len + more + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + more + 1) cap *= 2;
    b->ptr = slt_xrealloc(b->ptr, cap);
    b->cap = cap;
}

static void slt_buf_putn(slt_buf *b, const char *s, size_t n) {
    slt_buf_reserve(b, n);
    memcpy(b->ptr + b->len, s, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

static void slt_buf_puts(slt_buf *b, const char *s) { slt_buf_putn(b, s, strlen(s)); }

static void slt_buf_putc(slt_buf *b, char c) { slt_buf_putn(b, &c, 1); }

static char *slt_buf_take(slt_buf *b) {
    char *p = b->ptr ? b->ptr : slt_xstrdup("");
    b->ptr = NULL;
    b->len = b->cap = 0;
    return p;
}

static bool slt_err_set(slt_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool slt_err_set(slt_err *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return false;
}

/* Copies a name already checked to fit (slt_name_valid or a known engine). */
static void slt_name_copy(char dst[SLT_NAME_BYTES_MAX], const char *src) {
    size_t n = strnlen(src, SLT_NAME_BYTES_MAX - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int slt_strcmp_ptr(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool slt_name_valid(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n >= SLT_NAME_BYTES_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_') {
            return false;
        }
    }
    return true;
}

/* ---- result text: one value, escaped as the header comment describes ------------------- */

static void slt_value_append(slt_buf *b, const char *v, bool is_null) {
    if (is_null) return slt_buf_puts(b, "NULL");
    size_t n = strlen(v);
    if (n == 0) return slt_buf_puts(b, "(empty)");
    if (strcmp(v, "NULL") == 0 || strcmp(v, "(empty)") == 0) slt_buf_putc(b, '\\');
    size_t lead = 0, trail = 0;
    while (lead < n && v[lead] == ' ') lead++;
    while (trail < n - lead && v[n - 1 - trail] == ' ') trail++;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == ' ' && (i < lead || i >= n - trail)) {
            slt_buf_puts(b, "\\s");
        } else if (c == '\\' || c == '|') {
            slt_buf_putc(b, '\\');
            slt_buf_putc(b, (char)c);
        } else if (c == '\n' || c == '\r' || c == '\t') {
            slt_buf_puts(b, c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t");
        } else if (c < 0x20 || c == 0x7f) {
            char hex[8];
            snprintf(hex, sizeof hex, "\\x%02x", c);
            slt_buf_puts(b, hex);
        } else {
            slt_buf_putc(b, (char)c);
        }
    }
}

/* Checks one escaped value of an expected row, [v, v + n). */
static bool slt_value_check(const char *v, size_t n, slt_err *err) {
    if (n == 0) return slt_err_set(err, "empty value (write (empty) for '')");
    if (v[0] == ' ' || v[n - 1] == ' ') {
        return slt_err_set(err, "value has a bare leading or trailing space (write \\s)");
    }
    if ((n == 5 && memcmp(v, "\\NULL", 5) == 0) || (n == 8 && memcmp(v, "\\(empty)", 8) == 0)) {
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)v[i] < 0x20) return slt_err_set(err, "control byte in a value");
        if (v[i] != '\\') continue;
        char c = i + 1 < n ? v[i + 1] : '\0';
        if (c == 'x' && i + 3 < n && isxdigit((unsigned char)v[i + 2]) &&
            isxdigit((unsigned char)v[i + 3])) {
            i += 3;
        } else if (c != '\0' && strchr("\\|nrts", c)) {
            i++;
        } else {
            return slt_err_set(err, "invalid escape \\%c in a value", c ? c : ' ');
        }
    }
    return true;
}

/* Splits an expected row into its escaped values (copies appended to *values) and checks
 * each. A separator is an unescaped '|' with exactly one space on each side. */
static bool slt_row_split(const char *row, char ***values, int *count, slt_err *err) {
    const char *start = row;
    for (const char *p = row;; p++) {
        if (*p == '\\' && p[1] != '\0') {
            p++;
            continue;
        }
        if (*p != '|' && *p != '\0') continue;
        const char *end = p;
        if (*p == '|') {
            if (p == row || p[-1] != ' ' || p[1] != ' ') {
                return slt_err_set(err, "'|' in a row must be \" | \" (or \\| in a value)");
            }
            end = p - 1;
        }
        if (!slt_value_check(start, (size_t)(end - start), err)) return false;
        *values = slt_xrealloc(*values, sizeof(char *) * (size_t)(*count + 1));
        char *copy = slt_xmalloc((size_t)(end - start) + 1);
        memcpy(copy, start, (size_t)(end - start));
        copy[end - start] = '\0';
        (*values)[(*count)++] = copy;
        if (*p == '\0') return true;
        start = p + 2;
        p++;
    }
}

static void slt_values_free(char **values, int count) {
    for (int i = 0; i < count; i++) free(values[i]);
    free(values);
}

/* ---- parsing --------------------------------------------------------------------------- */

static bool slt_file_load(slt_file *f, const char *path, slt_err *err) {
    memset(f, 0, sizeof *f);
    f->path = path;
    FILE *fp = fopen(path, "rb");
    if (!fp) return slt_err_set(err, "cannot open: %s", strerror(errno));
    slt_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) slt_buf_putn(&b, chunk, n);
    bool read_failed = ferror(fp);
    fclose(fp);
    f->text = slt_buf_take(&b);
    if (read_failed) return slt_err_set(err, "cannot read");
    size_t len = strlen(f->text);
    for (size_t i = 0; i < len; i++) {
        if (f->text[i] == '\r') return slt_err_set(err, "carriage return in file (use LF)");
    }
    int cap = 0;
    for (char *p = f->text; *p;) {
        char *nl = strchr(p, '\n');
        if (f->line_count == cap) {
            cap = cap ? cap * 2 : 256;
            f->lines = slt_xrealloc(f->lines, sizeof(char *) * (size_t)cap);
        }
        f->lines[f->line_count++] = p;
        if (!nl) break;
        *nl = '\0';
        p = nl + 1;
    }
    return true;
}

static void slt_file_free(slt_file *f) {
    for (int i = 0; i < f->record_count; i++) free(f->records[i].sql);
    free(f->records);
    free(f->lines);
    free(f->text);
}

static bool slt_line_blank(const char *line) {
    for (; *line; line++) {
        if (!isspace((unsigned char)*line)) return false;
    }
    return true;
}

/* Splits a directive line into at most `max` words separated by single spaces; the last
 * word takes the rest of the line. Returns the number of words. */
static int slt_words(const char *line, char words[][128], int max) {
    int n = 0;
    while (*line == ' ') line++;
    while (*line && n < max) {
        size_t len = n == max - 1 ? strlen(line) : strcspn(line, " ");
        if (len >= 128) len = 127;
        memcpy(words[n], line, len);
        words[n][len] = '\0';
        n++;
        line += len;
        while (*line == ' ') line++;
    }
    return n;
}

static bool slt_parse_sqlstate(const char *s, char out[6], slt_err *err) {
    if (strlen(s) != 5) return slt_err_set(err, "SQLSTATE must be 5 characters: '%s'", s);
    for (int i = 0; i < 5; i++) {
        if (!isdigit((unsigned char)s[i]) && !isupper((unsigned char)s[i])) {
            return slt_err_set(err, "SQLSTATE has digits and upper-case letters: '%s'", s);
        }
    }
    memcpy(out, s, 6);
    return true;
}

/* "statement ok" / "statement count N" / "statement error SQLSTATE [RE]". */
static bool slt_parse_statement(const char *line, slt_record *r, bool lenient, slt_err *err) {
    char w[3][128];
    int n = slt_words(line, w, 3);
    if (n == 2 && strcmp(w[1], "ok") == 0) {
        r->kind = SLT_KIND_STATEMENT_OK;
        return true;
    }
    if (n == 3 && strcmp(w[1], "count") == 0) {
        char *end;
        r->kind = SLT_KIND_STATEMENT_COUNT;
        r->count = strtoll(w[2], &end, 10);
        if (*end != '\0' || r->count < 0) return slt_err_set(err, "bad count '%s'", w[2]);
        return true;
    }
    if (n < 2 || strcmp(w[1], "error") != 0) {
        return slt_err_set(err, "expected 'statement ok|count N|error SQLSTATE [regex]'");
    }
    r->kind = SLT_KIND_STATEMENT_ERROR;
    if (n == 2) {
        return lenient ? true : slt_err_set(err, "statement error needs a SQLSTATE");
    }
    const char *rest = strstr(line, "error ") + 6;
    while (*rest == ' ') rest++;
    char code[128];
    size_t code_len = strcspn(rest, " ");
    if (code_len >= sizeof code) code_len = sizeof code - 1;
    memcpy(code, rest, code_len);
    code[code_len] = '\0';
    if (!slt_parse_sqlstate(code, r->sqlstate, err)) return false;
    if (rest[code_len] == ' ' && rest[code_len + 1] != '\0') {
        r->message_re = rest + code_len + 1;
        regex_t re;
        int rc = regcomp(&re, r->message_re, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) return slt_err_set(err, "invalid regex '%s'", r->message_re);
        regfree(&re);
    }
    return true;
}

/* "query TYPES [nosort|rowsort|valuesort] [colnames]". --rewrite also accepts a query
 * without its types ("query", "query rowsort") and fills them in. */
static bool slt_parse_query(const char *line, slt_record *r, bool lenient, slt_err *err) {
    char w[5][128];
    int n = slt_words(line, w, 5);
    r->kind = SLT_KIND_QUERY;
    bool has_types = n > 1 && strspn(w[1], "ITRB") == strlen(w[1]);
    if (n == 1 && !lenient) return slt_err_set(err, "query needs column types");
    int first_option = 1;
    if (has_types || (n > 1 && !lenient)) {
        size_t types_len = strlen(w[1]);
        if (types_len > SLT_COLUMNS_MAX) {
            return slt_err_set(err, "more than %d columns", SLT_COLUMNS_MAX);
        }
        for (size_t i = 0; i < types_len; i++) {
            if (!strchr("ITRB", w[1][i])) {
                return slt_err_set(err, "column type '%c' is not one of I T R B", w[1][i]);
            }
        }
        memcpy(r->types, w[1], types_len + 1);
        first_option = 2;
    }
    bool sorted = false;
    for (int i = first_option; i < n; i++) {
        if (strcmp(w[i], "colnames") == 0 && !r->colnames) {
            r->colnames = true;
            continue;
        }
        if (sorted) return slt_err_set(err, "unexpected '%s' after the options", w[i]);
        sorted = true;
        if (strcmp(w[i], "nosort") == 0) {
            r->sort = SLT_SORT_NONE;
        } else if (strcmp(w[i], "rowsort") == 0) {
            r->sort = SLT_SORT_ROWS;
        } else if (strcmp(w[i], "valuesort") == 0) {
            r->sort = SLT_SORT_VALUES;
        } else {
            return slt_err_set(err, "unknown sort mode '%s'", w[i]);
        }
    }
    return true;
}

/* No SQL statement starts with these words, so such a line is a record header that lost the
 * blank line in front of it. */
static bool slt_line_is_header(const char *line) {
    static const char *const headers[] = {"statement ok", "statement count ", "statement error",
                                          "query ", "skipif ", "onlyif "};
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        if (strncmp(line, headers[i], strlen(headers[i])) == 0) return true;
    }
    return false;
}

/* Reads the SQL of the record at *i (the line after its header), and for a query its
 * expected rows; leaves *i on the line after the record. */
static bool slt_parse_body(slt_file *f, int *i, slt_record *r, bool lenient, slt_err *err) {
    slt_buf sql = {0};
    r->sql_first = *i;
    while (*i < f->line_count && !slt_line_blank(f->lines[*i])) {
        if (strcmp(f->lines[*i], "----") == 0) break;
        if (slt_line_is_header(f->lines[*i])) {
            free(sql.ptr);
            return slt_err_set(err, "a record header inside SQL (missing blank line?)");
        }
        if (sql.len) slt_buf_putc(&sql, '\n');
        slt_buf_puts(&sql, f->lines[*i]);
        (*i)++;
    }
    r->sql_end = *i;
    r->sql = slt_buf_take(&sql);
    bool separator = *i < f->line_count && strcmp(f->lines[*i], "----") == 0;
    if (r->sql_first == r->sql_end || (r->kind == SLT_KIND_QUERY && !separator && !lenient)) {
        *i = r->header_line; /* report the record, not the line where it ended */
        if (r->sql_first == r->sql_end) return slt_err_set(err, "record without SQL");
        return slt_err_set(err, "query without '----'");
    }
    if (r->kind != SLT_KIND_QUERY) {
        return separator ? slt_err_set(err, "'----' after a statement (use query)") : true;
    }
    if (!separator) return true;
    r->has_separator = true;
    (*i)++;
    r->expected_first = *i;
    while (*i < f->line_count && f->lines[*i][0] != '\0') {
        char **values = NULL;
        int count = 0;
        bool ok = slt_row_split(f->lines[*i], &values, &count, err);
        slt_values_free(values, count);
        if (!ok) return false;
        if (count != (int)strlen(r->types) && r->types[0] != '\0') {
            return slt_err_set(err, "row %d has %d values, the query declares %d columns",
                               *i - r->expected_first + 1, count, (int)strlen(r->types));
        }
        (*i)++;
    }
    r->expected_end = *i;
    if (r->colnames && r->expected_end == r->expected_first) {
        return slt_err_set(err, "colnames without the line of column names");
    }
    return true;
}

/* Parses a directive line that is not a record (skipif/onlyif go to *pending). Returns 1 when
 * the line was a directive, 0 when it starts a record, -1 on an error. */
static int slt_parse_directive(const char *line, slt_record *pending, slt_err *err) {
    char w[3][128];
    int n = slt_words(line, w, 3);
    bool only = strcmp(w[0], "onlyif") == 0;
    if (only || strcmp(w[0], "skipif") == 0) {
        if (n != 2) return slt_err_set(err, "usage: %s ENGINE", w[0]), -1;
        if (strcmp(w[1], "dreambase") != 0 && strcmp(w[1], "postgresql") != 0) {
            return slt_err_set(err, "unknown engine '%s' (dreambase, postgresql)", w[1]), -1;
        }
        if (pending->condition_count == SLT_CONDITIONS_MAX) {
            return slt_err_set(err, "too many skipif/onlyif lines"), -1;
        }
        slt_condition *c = &pending->conditions[pending->condition_count++];
        c->only = only;
        slt_name_copy(c->engine, w[1]);
        return 1;
    }
    if (strcmp(w[0], "hash-threshold") == 0) {
        return n == 2 ? 1 : (slt_err_set(err, "usage: hash-threshold N"), -1);
    }
    return 0;
}

static void slt_file_add(slt_file *f, const slt_record *r) {
    f->records = slt_xrealloc(f->records, sizeof(slt_record) * (size_t)(f->record_count + 1));
    f->records[f->record_count++] = *r;
}

/* Parses one record whose header is line *i. */
static bool slt_parse_record(slt_file *f, int *i, slt_record *r, bool lenient, slt_err *err) {
    const char *line = f->lines[*i];
    char w[3][128];
    int n = slt_words(line, w, 3);
    r->header_line = *i;
    if (strcmp(w[0], "halt") == 0 && n == 1) {
        r->kind = SLT_KIND_HALT;
        (*i)++;
        return true;
    }
    if (strcmp(w[0], "connection") == 0) {
        if (n != 2 || !slt_name_valid(w[1])) return slt_err_set(err, "usage: connection NAME");
        if (r->condition_count) return slt_err_set(err, "skipif/onlyif before connection");
        r->kind = SLT_KIND_CONNECTION;
        slt_name_copy(r->name, w[1]);
        (*i)++;
        return true;
    }
    bool ok;
    if (strcmp(w[0], "statement") == 0) {
        ok = slt_parse_statement(line, r, lenient, err);
    } else if (strcmp(w[0], "query") == 0) {
        ok = slt_parse_query(line, r, lenient, err);
    } else {
        return slt_err_set(err, "unknown directive '%s'", w[0]);
    }
    if (!ok) return false;
    (*i)++;
    return slt_parse_body(f, i, r, lenient, err);
}

static bool slt_file_parse(slt_file *f, bool lenient, slt_err *err) {
    slt_record r = {0};
    int i = 0;
    while (i < f->line_count) {
        const char *line = f->lines[i];
        if (slt_line_blank(line) || line[0] == '#') {
            if (r.condition_count && slt_line_blank(line)) {
                return slt_err_set(err, "line %d: skipif/onlyif must precede a record", i + 1);
            }
            i++;
            continue;
        }
        if (line[0] == ' ') return slt_err_set(err, "line %d: indented directive", i + 1);
        int d = slt_parse_directive(line, &r, err);
        if (d < 0) goto fail;
        if (d > 0) {
            i++;
            continue;
        }
        if (!slt_parse_record(f, &i, &r, lenient, err)) {
            free(r.sql);
            goto fail;
        }
        slt_file_add(f, &r);
        memset(&r, 0, sizeof r);
    }
    if (r.condition_count) return slt_err_set(err, "skipif/onlyif at the end of the file");
    return true;
fail:;
    char message[SLT_ERR_BYTES_MAX];
    snprintf(message, sizeof message, "%s", err->message);
    return slt_err_set(err, "line %d: %s", i + 1, message);
}

static bool slt_record_is_case(const slt_record *r) {
    return r->kind != SLT_KIND_CONNECTION && r->kind != SLT_KIND_HALT;
}

static bool slt_record_skipped(const slt_record *r, const char *engine) {
    for (int i = 0; i < r->condition_count; i++) {
        bool same = strcmp(r->conditions[i].engine, engine) == 0;
        if (r->conditions[i].only != same) return true;
    }
    return false;
}

/* ---- connections ----------------------------------------------------------------------- */

static void slt_notice_ignore(void *arg, const char *message) {}

static void slt_notice_print(void *arg, const char *message) { fprintf(stderr, "  %s", message); }

/* libpq's messages span lines; a report line takes them joined, without the final newline. */
static void slt_oneline(const char *message, char *out, size_t size) {
    size_t n = 0;
    for (const char *p = message; *p && n + 1 < size; p++) {
        if (*p == '\t') continue;
        if (*p != '\n') {
            out[n++] = *p;
        } else if (p[1] != '\0' && n > 0 && out[n - 1] != ' ') {
            out[n++] = ' ';
        }
    }
    while (n > 0 && out[n - 1] == ' ') n--;
    out[n] = '\0';
}

static PGconn *slt_connect(const slt_options *opt, slt_err *err) {
    PGconn *pg = PQconnectdb(opt->dsn ? opt->dsn : "");
    if (PQstatus(pg) != CONNECTION_OK) {
        char message[SLT_ERR_BYTES_MAX];
        slt_oneline(PQerrorMessage(pg), message, sizeof message);
        slt_err_set(err, "cannot connect: %s", message);
        PQfinish(pg);
        return NULL;
    }
    PQsetNoticeProcessor(pg, opt->verbose ? slt_notice_print : slt_notice_ignore, NULL);
    return pg;
}

/* Makes connection `name` current, opening it on first use. */
static bool slt_run_use(slt_run *run, const char *name, slt_err *err) {
    for (int i = 0; i < run->conn_count; i++) {
        if (strcmp(run->conns[i].name, name) == 0) {
            run->current = i;
            return true;
        }
    }
    if (run->conn_count == SLT_CONNECTIONS_MAX) {
        return slt_err_set(err, "more than %d connections", SLT_CONNECTIONS_MAX);
    }
    PGconn *pg = slt_connect(run->opt, err);
    if (!pg) return false;
    slt_conn *c = &run->conns[run->conn_count];
    slt_name_copy(c->name, name);
    c->pg = pg;
    run->current = run->conn_count++;
    return true;
}

/* ---- running one statement ------------------------------------------------------------- */

static double slt_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits until the socket is readable; false when the deadline passed first. */
static bool slt_wait_readable(PGconn *pg, double deadline_s) {
    for (;;) {
        double left_s = deadline_s - slt_now_s();
        if (left_s <= 0) return false;
        struct pollfd p = {.fd = PQsocket(pg), .events = POLLIN};
        int rc = poll(&p, 1, (int)(left_s * 1000) + 1);
        if (rc > 0 || (rc < 0 && errno != EINTR)) return true;
    }
}

static void slt_cancel(PGconn *pg) {
    char message[256];
    PGcancel *cancel = PQgetCancel(pg);
    if (!cancel) return;
    PQcancel(cancel, message, sizeof message);
    PQfreeCancel(cancel);
}

/* Waits until libpq holds the next result. A record running past the timeout is cancelled
 * once; false when even the cancelled record did not answer (the connection is unusable). */
static bool slt_exec_wait(PGconn *pg, int timeout_s, bool *timed_out) {
    double deadline_s = slt_now_s() + timeout_s;
    bool cancelled = false;
    while (PQisBusy(pg)) {
        if (!slt_wait_readable(pg, deadline_s)) {
            if (cancelled) return false;
            slt_cancel(pg);
            cancelled = true;
            *timed_out = true;
            deadline_s = slt_now_s() + SLT_CANCEL_GRACE_S;
            continue;
        }
        if (!PQconsumeInput(pg)) return true; /* PQgetResult reports the broken connection */
    }
    return true;
}

/* Runs `sql` and returns its first error result, else its last result (NULL when none came).
 * Problems of the runner itself (send failure, timeout) go to *failure. */
static PGresult *slt_exec(slt_run *run, PGconn *pg, const char *sql, slt_buf *failure,
                          bool *lost) {
    int sent = run->opt->extended ? PQsendQueryParams(pg, sql, 0, NULL, NULL, NULL, NULL, 0)
                                  : PQsendQuery(pg, sql);
    if (!sent) {
        slt_buf_puts(failure, "could not send the statement: ");
        slt_buf_puts(failure, PQerrorMessage(pg));
        *lost = PQstatus(pg) == CONNECTION_BAD;
        return NULL;
    }
    PGresult *keep = NULL;
    bool timed_out = false;
    for (;;) {
        if (!slt_exec_wait(pg, run->opt->timeout_s, &timed_out)) {
            slt_buf_puts(failure, "no reply even after cancelling the statement");
            *lost = true;
            PQclear(keep);
            return NULL;
        }
        PGresult *res = PQgetResult(pg);
        if (!res) break;
        ExecStatusType status = PQresultStatus(res);
        if (status == PGRES_COPY_IN) PQputCopyEnd(pg, "slt_runner does not support COPY");
        if (status == PGRES_COPY_OUT) {
            char *row;
            while (PQgetCopyData(pg, &row, 0) > 0) PQfreemem(row);
        }
        if (keep && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
            PQclear(res);
        } else {
            PQclear(keep);
            keep = res;
        }
    }
    if (timed_out) {
        char text[96];
        snprintf(text, sizeof text, "timed out after %d s (cancelled)", run->opt->timeout_s);
        slt_buf_puts(failure, text);
    }
    *lost = PQstatus(pg) == CONNECTION_BAD;
    return keep;
}

/* ---- checking results ------------------------------------------------------------------ */

static char slt_type_letter(Oid type) {
    switch (type) {
    case 20: case 21: case 23: case 26: return 'I'; /* int8 int2 int4 oid */
    case 700: case 701: case 1700: return 'R';      /* float4 float8 numeric */
    case 16: return 'B';                            /* bool */
    default: return 'T';
    }
}

static const char *slt_field(const PGresult *res, int code) {
    const char *v = res ? PQresultErrorField(res, code) : NULL;
    return v ? v : "";
}

/* One line that says what a result was, for failure reports. */
static void slt_describe(const PGresult *res, slt_buf *b) {
    if (!res) return slt_buf_puts(b, "no result");
    ExecStatusType status = PQresultStatus(res);
    if (status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR) {
        slt_buf_puts(b, "ERROR ");
        slt_buf_puts(b, slt_field(res, PG_DIAG_SQLSTATE));
        slt_buf_puts(b, ": ");
        slt_buf_puts(b, slt_field(res, PG_DIAG_MESSAGE_PRIMARY));
        return;
    }
    if (status == PGRES_TUPLES_OK) {
        char text[64];
        snprintf(text, sizeof text, "%d rows of %d columns", PQntuples(res), PQnfields(res));
        return slt_buf_puts(b, text);
    }
    slt_buf_puts(b, PQresStatus(status));
    if (PQcmdStatus((PGresult *)res)[0]) {
        slt_buf_puts(b, " (");
        slt_buf_puts(b, PQcmdStatus((PGresult *)res));
        slt_buf_putc(b, ')');
    }
}

/* The rows of a result as lines of escaped values joined by " | ". */
static char **slt_result_rows(const PGresult *res, int *count) {
    int rows = PQntuples(res), cols = PQnfields(res);
    char **lines = slt_xmalloc(sizeof(char *) * (size_t)rows);
    for (int i = 0; i < rows; i++) {
        slt_buf b = {0};
        for (int j = 0; j < cols; j++) {
            if (j) slt_buf_puts(&b, " | ");
            slt_value_append(&b, PQgetvalue(res, i, j), PQgetisnull(res, i, j));
        }
        lines[i] = slt_buf_take(&b);
    }
    *count = rows;
    return lines;
}

static void slt_result_types(const PGresult *res, char *types, size_t size) {
    int cols = PQnfields(res);
    size_t n = 0;
    for (int j = 0; j < cols && n + 1 < size; j++) types[n++] = slt_type_letter(PQftype(res, j));
    types[n] = '\0';
}

static void slt_report_lines(const char *title, char **lines, int count) {
    printf("  %s (%d rows):\n", title, count);
    for (int i = 0; i < count && i < SLT_REPORT_ROWS_MAX; i++) printf("    %s\n", lines[i]);
    if (count > SLT_REPORT_ROWS_MAX) printf("    ... %d more\n", count - SLT_REPORT_ROWS_MAX);
}

/* Prints one failure: where, what, the SQL, and (for queries) both sides. */
static void slt_report(const slt_run *run, const slt_record *r, const char *what, char **expected,
                       int expected_count, char **actual, int actual_count) {
    printf("FAIL %s:%d: %s\n", run->file->path, r->header_line + 1, what);
    for (int i = r->sql_first; i < r->sql_end; i++) printf("  | %s\n", run->file->lines[i]);
    if (expected) slt_report_lines("expected", expected, expected_count);
    if (actual) slt_report_lines("actual", actual, actual_count);
    fflush(stdout);
}

static bool slt_check_statement(const slt_run *run, const slt_record *r, const PGresult *res) {
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    slt_buf what = {0};
    if (!ok) {
        slt_buf_puts(&what, "statement failed: ");
        slt_describe(res, &what);
    } else if (r->kind == SLT_KIND_STATEMENT_COUNT) {
        const char *tuples = PQcmdTuples((PGresult *)res);
        if (tuples[0] == '\0' || strtoll(tuples, NULL, 10) != r->count) {
            char text[96];
            snprintf(text, sizeof text, "expected a count of %lld, the command reported '%s'",
                     r->count, tuples);
            slt_buf_puts(&what, text);
            ok = false;
        }
    }
    if (!ok) slt_report(run, r, what.ptr, NULL, 0, NULL, 0);
    free(what.ptr);
    return ok;
}

static bool slt_message_matches(const char *re_text, const char *message) {
    regex_t re;
    if (regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB) != 0) return false;
    bool match = regexec(&re, message, 0, NULL, 0) == 0;
    regfree(&re);
    return match;
}

static bool slt_check_error(const slt_run *run, const slt_record *r, const PGresult *res) {
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    const char *sqlstate = slt_field(res, PG_DIAG_SQLSTATE);
    const char *message = slt_field(res, PG_DIAG_MESSAGE_PRIMARY);
    bool ok = status == PGRES_FATAL_ERROR && r->sqlstate[0] != '\0' &&
              strcmp(sqlstate, r->sqlstate) == 0 &&
              (!r->message_re || slt_message_matches(r->message_re, message));
    if (ok) return true;
    slt_buf what = {0};
    slt_buf_puts(&what, "expected ERROR ");
    slt_buf_puts(&what, r->sqlstate[0] ? r->sqlstate : "(no SQLSTATE given)");
    if (r->message_re) {
        slt_buf_puts(&what, " matching /");
        slt_buf_puts(&what, r->message_re);
        slt_buf_putc(&what, '/');
    }
    slt_buf_puts(&what, ", got ");
    slt_describe(res, &what);
    slt_report(run, r, what.ptr, NULL, 0, NULL, 0);
    free(what.ptr);
    return false;
}

/* The expected rows of a query record (after its column names), copied to be sorted. */
static char **slt_expected_lines(const slt_file *f, const slt_record *r, int *count) {
    int first = r->expected_first + (r->colnames ? 1 : 0);
    *count = r->expected_end - first;
    char **lines = slt_xmalloc(sizeof(char *) * (size_t)*count);
    for (int i = 0; i < *count; i++) lines[i] = slt_xstrdup(f->lines[first + i]);
    return lines;
}

/* The column names of a result as one line, escaped and joined like a row. */
static char *slt_result_colnames(const PGresult *res) {
    slt_buf b = {0};
    for (int j = 0; j < PQnfields(res); j++) {
        if (j) slt_buf_puts(&b, " | ");
        slt_value_append(&b, PQfname(res, j), false);
    }
    return slt_buf_take(&b);
}

static bool slt_check_colnames(const slt_run *run, const slt_record *r, const PGresult *res) {
    char *actual = slt_result_colnames(res);
    char *expected = run->file->lines[r->expected_first];
    bool same = strcmp(actual, expected) == 0;
    if (!same) slt_report(run, r, "column names differ", &expected, 1, &actual, 1);
    free(actual);
    return same;
}

/* valuesort: replaces rows by their values (rows are known to split: expected rows were
 * checked when the file was parsed, actual rows are escaped by the runner). */
static char **slt_lines_to_values(char **lines, int count, int *value_count) {
    char **values = NULL;
    int n = 0;
    slt_err err;
    for (int i = 0; i < count; i++) (void)slt_row_split(lines[i], &values, &n, &err);
    slt_values_free(lines, count);
    *value_count = n;
    return values;
}

static bool slt_lines_equal(char **a, int a_count, char **b, int b_count) {
    if (a_count != b_count) return false;
    for (int i = 0; i < a_count; i++) {
        if (strcmp(a[i], b[i]) != 0) return false;
    }
    return true;
}

static bool slt_check_query(const slt_run *run, const slt_record *r, const PGresult *res) {
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        slt_buf what = {0};
        slt_buf_puts(&what, "expected rows, got ");
        slt_describe(res, &what);
        slt_report(run, r, what.ptr, NULL, 0, NULL, 0);
        free(what.ptr);
        return false;
    }
    char types[SLT_COLUMNS_MAX + 2];
    slt_result_types(res, types, sizeof types);
    if (r->colnames && !slt_check_colnames(run, r, res)) return false;
    int actual_count, expected_count;
    char **actual = slt_result_rows(res, &actual_count);
    char **expected = slt_expected_lines(run->file, r, &expected_count);
    if (r->sort == SLT_SORT_VALUES) {
        actual = slt_lines_to_values(actual, actual_count, &actual_count);
        expected = slt_lines_to_values(expected, expected_count, &expected_count);
    }
    if (r->sort != SLT_SORT_NONE) {
        qsort(actual, (size_t)actual_count, sizeof(char *), slt_strcmp_ptr);
        qsort(expected, (size_t)expected_count, sizeof(char *), slt_strcmp_ptr);
    }
    bool types_same = strcmp(types, r->types) == 0;
    bool same = types_same && slt_lines_equal(expected, expected_count, actual, actual_count);
    if (!same) {
        char what[2 * SLT_COLUMNS_MAX + 64] = "result differs";
        if (!types_same) {
            snprintf(what, sizeof what, "column types differ: expected %s, actual %s", r->types,
                     types);
        }
        slt_report(run, r, what, expected, expected_count, actual, actual_count);
    }
    slt_values_free(actual, actual_count);
    slt_values_free(expected, expected_count);
    return same;
}

/* --rewrite keeps (instead of checking) the results it will write back: every query that
 * returned rows, and every error of a `statement error` that lacks its SQLSTATE. */
static bool slt_rewrite_takes(const slt_record *r, const PGresult *res) {
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (r->kind == SLT_KIND_QUERY) return status == PGRES_TUPLES_OK;
    return r->kind == SLT_KIND_STATEMENT_ERROR && r->sqlstate[0] == '\0' &&
           status == PGRES_FATAL_ERROR && slt_field(res, PG_DIAG_SQLSTATE)[0] != '\0';
}

static bool slt_record_check(const slt_run *run, const slt_record *r, const PGresult *res) {
    if (run->opt->rewrite && slt_rewrite_takes(r, res)) return true;
    switch (r->kind) {
    case SLT_KIND_STATEMENT_OK:
    case SLT_KIND_STATEMENT_COUNT: return slt_check_statement(run, r, res);
    case SLT_KIND_STATEMENT_ERROR: return slt_check_error(run, r, res);
    case SLT_KIND_QUERY: return slt_check_query(run, r, res);
    default: return true;
    }
}

static void slt_record_run(slt_run *run, int index) {
    const slt_record *r = &run->file->records[index];
    slt_conn *c = &run->conns[run->current];
    if (run->opt->verbose) {
        printf("RUN  %s:%d on %s\n", run->file->path, r->header_line + 1, c->name);
    }
    slt_buf failure = {0};
    bool lost = false;
    PGresult *res = slt_exec(run, c->pg, r->sql, &failure, &lost);
    bool pass;
    if (failure.len) {
        slt_report(run, r, failure.ptr, NULL, 0, NULL, 0);
        pass = false;
    } else {
        pass = slt_record_check(run, r, res);
    }
    free(failure.ptr);
    if (pass) {
        run->totals->passed++;
    } else {
        run->totals->failed++;
        if (run->opt->stop_on_fail) run->stop = true;
    }
    if (lost) {
        char message[SLT_ERR_BYTES_MAX];
        slt_oneline(PQerrorMessage(c->pg), message, sizeof message);
        printf("FAIL %s:%d: connection \"%s\" lost: %s\n", run->file->path,
               r->header_line + 1, c->name, message);
        run->stop = true;
    }
    if (run->opt->rewrite && slt_rewrite_takes(r, res)) {
        run->results[index] = res;
    } else {
        PQclear(res);
    }
}

/* ---- --rewrite ------------------------------------------------------------------------- */

static void slt_regex_escape(slt_buf *b, const char *s) {
    for (; *s; s++) {
        if (strchr("\\.[](){}*+?|^$", *s)) slt_buf_putc(b, '\\');
        slt_buf_putc(b, *s);
    }
}

static void slt_rewrite_record(slt_buf *out, const slt_file *f, const slt_record *r,
                               const PGresult *res) {
    if (r->kind == SLT_KIND_QUERY) {
        char types[SLT_COLUMNS_MAX + 2];
        slt_result_types(res, types, sizeof types);
        slt_buf_puts(out, "query ");
        slt_buf_puts(out, types);
        if (r->sort != SLT_SORT_NONE) {
            slt_buf_puts(out, r->sort == SLT_SORT_ROWS ? " rowsort" : " valuesort");
        }
        if (r->colnames) slt_buf_puts(out, " colnames");
    } else {
        slt_buf_puts(out, "statement error ");
        slt_buf_puts(out, slt_field(res, PG_DIAG_SQLSTATE));
        slt_buf_putc(out, ' ');
        slt_regex_escape(out, slt_field(res, PG_DIAG_MESSAGE_PRIMARY));
    }
    slt_buf_putc(out, '\n');
    for (int i = r->sql_first; i < r->sql_end; i++) {
        slt_buf_puts(out, f->lines[i]);
        slt_buf_putc(out, '\n');
    }
    if (r->kind != SLT_KIND_QUERY) return;
    slt_buf_puts(out, "----\n");
    if (r->colnames) {
        char *names = slt_result_colnames(res);
        slt_buf_puts(out, names);
        slt_buf_putc(out, '\n');
        free(names);
    }
    int count;
    char **rows = slt_result_rows(res, &count);
    if (r->sort == SLT_SORT_ROWS) qsort(rows, (size_t)count, sizeof(char *), slt_strcmp_ptr);
    for (int i = 0; i < count; i++) {
        slt_buf_puts(out, rows[i]);
        slt_buf_putc(out, '\n');
    }
    slt_values_free(rows, count);
}

static void slt_file_rewrite(const slt_run *run) {
    const slt_file *f = run->file;
    slt_buf out = {0};
    int next = 0;
    for (int line = 0; line < f->line_count;) {
        while (next < f->record_count && f->records[next].header_line < line) next++;
        const slt_record *r = next < f->record_count ? &f->records[next] : NULL;
        if (r && r->header_line == line && run->results[next]) {
            slt_rewrite_record(&out, f, r, run->results[next]);
            line = r->has_separator ? r->expected_end : r->sql_end;
            continue;
        }
        slt_buf_puts(&out, f->lines[line++]);
        slt_buf_putc(&out, '\n');
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.rewrite", f->path);
    FILE *fp = fopen(tmp, "wb");
    bool ok = fp && fwrite(out.ptr, 1, out.len, fp) == out.len;
    ok = fp && fclose(fp) == 0 && ok;
    if (!ok || rename(tmp, f->path) != 0) printf("FAIL %s: cannot write it back\n", f->path);
    free(out.ptr);
}

/* ---- files ----------------------------------------------------------------------------- */

/* Ends a file's connections; a connection left inside a transaction block is a mistake in
 * the file (or a server that reports its transaction state wrongly). */
static void slt_run_finish(slt_run *run) {
    for (int i = 0; i < run->conn_count; i++) {
        PGTransactionStatusType ts = PQtransactionStatus(run->conns[i].pg);
        if (!run->stop && (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)) {
            printf("FAIL %s: the file ends inside a transaction block on connection \"%s\"\n",
                   run->file->path, run->conns[i].name);
            run->totals->file_errors++;
        }
        PQfinish(run->conns[i].pg);
    }
    run->conn_count = 0;
}

static void slt_file_run(const slt_options *opt, slt_file *f, slt_totals *t) {
    slt_run run = {.opt = opt, .file = f, .totals = t};
    if (opt->rewrite) run.results = calloc((size_t)f->record_count + 1, sizeof(PGresult *));
    slt_err err;
    if (!slt_run_use(&run, "default", &err)) {
        printf("FAIL %s: %s\n", f->path, err.message);
        run.stop = true;
    }
    bool halted = false;
    for (int i = 0; i < f->record_count; i++) {
        const slt_record *r = &f->records[i];
        bool is_case = slt_record_is_case(r);
        if (run.stop || halted || slt_record_skipped(r, opt->engine)) {
            if (is_case && run.stop) t->not_run++;
            if (is_case && !run.stop) t->skipped++;
            continue;
        }
        if (r->kind == SLT_KIND_HALT) {
            halted = true;
        } else if (r->kind == SLT_KIND_CONNECTION) {
            if (!slt_run_use(&run, r->name, &err)) {
                printf("FAIL %s:%d: %s\n", f->path, r->header_line + 1, err.message);
                run.stop = true;
            }
        } else {
            slt_record_run(&run, i);
        }
    }
    slt_run_finish(&run);
    if (opt->rewrite) {
        slt_file_rewrite(&run);
        for (int i = 0; i < f->record_count; i++) PQclear(run.results[i]);
        free(run.results);
    }
}

/* Adds `arg` to the list of files; a directory adds its *.slt files in name order. */
static void slt_paths_add(char ***paths, int *count, const char *arg) {
    struct stat st;
    char **found = NULL;
    int found_count = 0;
    DIR *dir = stat(arg, &st) == 0 && S_ISDIR(st.st_mode) ? opendir(arg) : NULL;
    if (!dir) {
        found = slt_xmalloc(sizeof(char *));
        found[found_count++] = slt_xstrdup(arg);
    }
    for (struct dirent *e; dir && (e = readdir(dir)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".slt") != 0 || e->d_name[0] == '.') continue;
        slt_buf b = {0};
        slt_buf_puts(&b, arg);
        if (arg[strlen(arg) - 1] != '/') slt_buf_putc(&b, '/');
        slt_buf_puts(&b, e->d_name);
        found = slt_xrealloc(found, sizeof(char *) * (size_t)(found_count + 1));
        found[found_count++] = slt_buf_take(&b);
    }
    if (dir) closedir(dir);
    qsort(found, (size_t)found_count, sizeof(char *), slt_strcmp_ptr);
    *paths = slt_xrealloc(*paths, sizeof(char *) * (size_t)(*count + found_count));
    for (int i = 0; i < found_count; i++) (*paths)[(*count)++] = found[i];
    free(found);
}

static void slt_usage(void) {
    fprintf(stderr, "usage: slt_runner [--dsn DSN] [--engine dreambase|postgresql] "
                    "[--protocol simple|extended] [--timeout S] [--verbose] [--stop-on-fail] "
                    "[--parse-only] [--rewrite] FILE.slt|DIR...\n");
    exit(2);
}

/* Parses the options; returns the index of the first file argument. */
static int slt_options_parse(int argc, char **argv, slt_options *opt) {
    *opt = (slt_options){.engine = "dreambase", .timeout_s = SLT_TIMEOUT_S_DEFAULT};
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--dsn") == 0 && has_value) {
            opt->dsn = argv[++i];
        } else if (strcmp(a, "--engine") == 0 && has_value) {
            opt->engine = argv[++i];
        } else if (strcmp(a, "--protocol") == 0 && has_value) {
            const char *p = argv[++i];
            if (strcmp(p, "simple") != 0 && strcmp(p, "extended") != 0) slt_usage();
            opt->extended = strcmp(p, "extended") == 0;
        } else if (strcmp(a, "--timeout") == 0 && has_value) {
            opt->timeout_s = atoi(argv[++i]);
            if (opt->timeout_s <= 0) slt_usage();
        } else if (strcmp(a, "--verbose") == 0) {
            opt->verbose = true;
        } else if (strcmp(a, "--stop-on-fail") == 0) {
            opt->stop_on_fail = true;
        } else if (strcmp(a, "--parse-only") == 0) {
            opt->parse_only = true;
        } else if (strcmp(a, "--rewrite") == 0) {
            opt->rewrite = true;
        } else {
            slt_usage();
        }
    }
    if (i == argc || (opt->parse_only && opt->rewrite)) slt_usage();
    return i;
}

static void slt_file_count(const slt_file *f, slt_totals *t) {
    for (int i = 0; i < f->record_count; i++) {
        const slt_record *r = &f->records[i];
        if (!slt_record_is_case(r)) continue;
        t->records++;
        if (r->kind == SLT_KIND_QUERY) {
            t->queries++;
        } else {
            t->statements++;
        }
    }
}

/* Loads, parses and (unless --parse-only) runs one file. */
static void slt_file_do(const slt_options *opt, const char *path, slt_totals *t) {
    slt_file f;
    slt_err err;
    if (!slt_file_load(&f, path, &err) || !slt_file_parse(&f, opt->rewrite, &err)) {
        printf("FAIL %s: %s\n", path, err.message);
        t->file_errors++;
        slt_file_free(&f);
        return;
    }
    t->files++;
    slt_totals before = *t;
    slt_file_count(&f, t);
    if (!opt->parse_only) slt_file_run(opt, &f, t);
    bool bad = t->failed > before.failed || t->not_run > before.not_run ||
               t->file_errors > before.file_errors;
    if (opt->verbose || bad) {
        printf("%s %s: %d records", bad ? "FAIL" : "ok  ", path, t->records - before.records);
        if (!opt->parse_only) {
            printf(": %d passed, %d failed, %d skipped, %d not run", t->passed - before.passed,
                   t->failed - before.failed, t->skipped - before.skipped,
                   t->not_run - before.not_run);
        }
        printf("\n");
    }
    fflush(stdout);
    slt_file_free(&f);
}

int main(int argc, char **argv) {
    slt_options opt;
    int first = slt_options_parse(argc, argv, &opt);
    char **paths = NULL;
    int path_count = 0;
    for (int i = first; i < argc; i++) slt_paths_add(&paths, &path_count, argv[i]);
    slt_totals t = {0};
    for (int i = 0; i < path_count; i++) {
        bool stopped = opt.stop_on_fail && (t.failed || t.not_run || t.file_errors);
        if (!stopped) slt_file_do(&opt, paths[i], &t);
        free(paths[i]);
    }
    free(paths);
    printf("slt_runner: %d files, %d records (%d statements, %d queries)", t.files, t.records,
           t.statements, t.queries);
    if (!opt.parse_only) {
        printf(": %d passed, %d failed, %d skipped, %d not run", t.passed, t.failed, t.skipped,
               t.not_run);
    }
    if (t.file_errors) printf("; %d file errors", t.file_errors);
    printf("\n");
    if (t.file_errors && opt.parse_only) return 2;
    return t.failed || t.not_run || t.file_errors ? 1 : 0;
}
