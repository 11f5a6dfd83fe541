/* fake_session.c: a small stand-in for sql_session.c, so the wire protocol can be tested
 * for real (raw bytes, libpq, psql, Python drivers) before the SQL layer serves statements.
 * It implements every function of sql/sql_session.h and answers a fixed set of statements
 * (case-insensitive; a simple Query may hold several, separated by ';'):
 *   SELECT 1                   one int4 column "?column?", one row
 *   SELECT * FROM series(N)    N rows of (i int4, t text): t = "row <i>", NULL every 10th row
 *   SELECT $1                  the parameter back, typed as Parse declared it (text default)
 *   SELECT big(N)              one text value of N bytes 'x'
 *   SELECT pg_sleep(MS)        sleeps, polling the cancel flag (57014 when it is set)
 *   SELECT 1/0                 22012 division by zero
 *   SHOW name                  a setting
 *   SET name = value / SET name TO value, BEGIN, COMMIT, ROLLBACK
 *   NOTICE                     a NOTICE, then tag DO
 *   COPY t FROM STDIN          text, 2 columns; counts lines; a line "bad" is 22P02
 *   COPY t TO STDOUT           three lines
 *   TERMINATE                  FATAL 57P01
 * Anything else is 42601 syntax error at or near its first word (position 1). A user named
 * "nobody" does not exist (28000), a database named "nodb" neither (3D000). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_loop.h"
#include "runtime/rt_time.h"
#include "sql/sql_session.h"

#define FAKE_STMTS_MAX 32
#define FAKE_PARAMS_MAX 8
#define FAKE_SETTINGS_MAX 32
#define FAKE_TEXT_BYTES 256

typedef enum fake_kind {
    FAKE_EMPTY = 1, FAKE_SELECT1, FAKE_SERIES, FAKE_PARAM, FAKE_BIG, FAKE_SLEEP, FAKE_DIV0,
    FAKE_SHOW, FAKE_SET, FAKE_BEGIN, FAKE_COMMIT, FAKE_ROLLBACK, FAKE_NOTICE, FAKE_COPY_IN,
    FAKE_COPY_OUT, FAKE_TERMINATE,
} fake_kind;

typedef struct fake_plan {
    fake_kind kind;
    uint64_t n;                       /* rows, bytes or milliseconds */
    char name[64], value[FAKE_TEXT_BYTES];
    uint32_t ncols;
    sql_col cols[2];
} fake_plan;

typedef struct fake_stmt {
    bool used;
    char name[64];
    fake_plan plan;
    uint32_t nparams;
    uint32_t types[FAKE_PARAMS_MAX];
    char text[FAKE_TEXT_BYTES];       /* as parsed, for pg_stat_activity */
} fake_stmt;

typedef struct fake_portal {
    bool used;
    char name[64];
    fake_stmt stmt;
    bool null[FAKE_PARAMS_MAX];
    int64_t ival[FAKE_PARAMS_MAX];
    char text[FAKE_PARAMS_MAX][FAKE_TEXT_BYTES];
    int16_t formats[2];
    uint64_t pos;
} fake_portal;

typedef struct fake_setting {
    const char *name;
    char value[FAKE_TEXT_BYTES];
    char reported[FAKE_TEXT_BYTES];
    bool report;
} fake_setting;

struct sql_session {
    char user[64], database[64];
    uint32_t pid;
    const _Atomic bool *cancel;
    bool in_block, failed, first_report;
    uint64_t setting_changes;
    rt_arena *arena;
    sql_fmt fmt;
    fake_setting settings[FAKE_SETTINGS_MAX];
    uint32_t nsettings;
    fake_stmt stmts[FAKE_STMTS_MAX];
    fake_portal portals[FAKE_STMTS_MAX];
};

static const struct { const char *name, *value; bool report; } fake_defaults[] = {
    {"application_name", "", true}, {"client_encoding", "UTF8", true},
    {"DateStyle", "ISO, MDY", true}, {"default_transaction_read_only", "off", true},
    {"in_hot_standby", "off", true}, {"integer_datetimes", "on", true},
    {"IntervalStyle", "postgres", true}, {"is_superuser", "on", true},
    {"server_encoding", "UTF8", true}, {"server_version", "15.0 (Dreambase 0.1.0)", true},
    {"session_authorization", "", true}, {"standard_conforming_strings", "on", true},
    {"TimeZone", "UTC", true}, {"idle_session_timeout", "0", false},
    {"idle_in_transaction_session_timeout", "0", false}, {"extra_float_digits", "1", false},
    {"search_path", "\"$user\", public", false}, {"statement_timeout", "0", false},
};
#define FAKE_DEFAULTS (sizeof fake_defaults / sizeof fake_defaults[0])

static fake_setting *fake_setting_find(sql_session *s, const char *name) {
    for (uint32_t i = 0; i < s->nsettings; i++) {
        if (strcasecmp(s->settings[i].name, name) == 0) return &s->settings[i];
    }
    return NULL;
}

static bool fake_setting_put(sql_session *s, const char *name, const char *value, rt_err *err) {
    fake_setting *st = fake_setting_find(s, name);
    if (st == NULL) {
        rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "unrecognized configuration parameter \"%s\"",
                   name);
        return false;
    }
    snprintf(st->value, sizeof st->value, "%s", value);
    s->setting_changes++;
    return true;
}

bool sql_session_open(const sql_startup *st, sql_session **out, rt_err *err) {
    if (strcmp(st->user, "nobody") == 0) {
        rt_err_set(err, SQLSTATE_INVALID_AUTHORIZATION_SPECIFICATION,
                   "role \"%s\" does not exist", st->user);
        err->severity = RT_SEV_FATAL;
        return false;
    }
    if (strcmp(st->database, "nodb") == 0) {
        rt_err_set(err, SQLSTATE_INVALID_CATALOG_NAME, "database \"%s\" does not exist",
                   st->database);
        err->severity = RT_SEV_FATAL;
        return false;
    }
    sql_session *s = rt_xcalloc(1, sizeof *s);
    snprintf(s->user, sizeof s->user, "%s", st->user);
    snprintf(s->database, sizeof s->database, "%s", st->database);
    s->pid = st->backend_pid;
    s->cancel = st->cancel;
    s->first_report = true;
    for (uint32_t i = 0; i < FAKE_DEFAULTS; i++) {
        s->settings[i].name = fake_defaults[i].name;
        s->settings[i].report = fake_defaults[i].report;
        snprintf(s->settings[i].value, FAKE_TEXT_BYTES, "%s", fake_defaults[i].value);
    }
    s->nsettings = FAKE_DEFAULTS;
    snprintf(fake_setting_find(s, "session_authorization")->value, FAKE_TEXT_BYTES, "%s",
             st->user);
    for (uint32_t i = 0; i < st->nsettings; i++) {
        if (!fake_setting_put(s, st->names[i], st->values[i], err)) {
            err->severity = RT_SEV_FATAL;
            rt_free(s);
            return false;
        }
    }
    s->arena = rt_arena_create(SQL_SESSION_QUERY_ARENA_BYTES);
    *out = s;
    return true;
}

void sql_session_close(sql_session *s) {
    rt_arena_destroy(s->arena);
    rt_free(s);
}

void sql_session_report_params(sql_session *s,
                               void (*fn)(void *arg, const char *name, const char *value),
                               void *arg) {
    for (uint32_t i = 0; i < s->nsettings; i++) {
        fake_setting *st = &s->settings[i];
        if (!st->report || (!s->first_report && strcmp(st->value, st->reported) == 0)) continue;
        memcpy(st->reported, st->value, sizeof st->reported);
        fn(arg, st->name, st->value);
    }
    s->first_report = false;
}

sql_txn_status sql_session_txn_status(const sql_session *s) {
    if (!s->in_block) return SQL_TXN_IDLE;
    return s->failed ? SQL_TXN_FAILED : SQL_TXN_BLOCK;
}

void sql_session_msg_begin(sql_session *s) { (void)s; }

int64_t sql_session_clock_us(sql_session *s) {
    (void)s;
    return rt_time_wall_us();
}

void sql_session_xact_info(const sql_session *s, bool *wrote, bool *keeps_snapshot) {
    (void)s;
    *wrote = false; /* the fake writes nothing */
    *keeps_snapshot = false;
}

void sql_session_io(sql_session *s, rt_arena *arena, rt_err *err, sql_io_ctx *io) {
    memset(io, 0, sizeof *io);
    io->arena = arena;
    io->fmt = &s->fmt;
    io->err = err;
    s->fmt.extra_float_digits = 1;
}

/* ---- statements ---- */

static bool fake_prefix(const char *text, const char *word, const char **rest) {
    size_t n = strlen(word);
    if (strncasecmp(text, word, n) != 0) return false;
    *rest = text + n;
    return true;
}

static void fake_col(fake_plan *p, const char *name, uint32_t type) {
    p->cols[p->ncols].name = name;
    p->cols[p->ncols].type_oid = type;
    p->cols[p->ncols].typmod = -1;
    p->ncols++;
}

/* `sql` is one statement, trimmed, without its ';'. */
static bool fake_classify(const char *sql, fake_plan *p, rt_err *err) {
    const char *r;
    memset(p, 0, sizeof *p);
    if (sql[0] == '\0') p->kind = FAKE_EMPTY;
    else if (strcasecmp(sql, "SELECT 1") == 0) p->kind = FAKE_SELECT1, fake_col(p, "?column?", 23);
    else if (fake_prefix(sql, "SELECT * FROM series(", &r)) {
        p->kind = FAKE_SERIES, p->n = strtoull(r, NULL, 10);
        fake_col(p, "i", 23), fake_col(p, "t", 25);
    } else if (strcasecmp(sql, "SELECT $1") == 0) p->kind = FAKE_PARAM, fake_col(p, "?column?", 25);
    else if (fake_prefix(sql, "SELECT big(", &r)) {
        p->kind = FAKE_BIG, p->n = strtoull(r, NULL, 10), fake_col(p, "big", 25);
    } else if (fake_prefix(sql, "SELECT pg_sleep(", &r)) {
        p->kind = FAKE_SLEEP, p->n = strtoull(r, NULL, 10), fake_col(p, "pg_sleep", 2278);
    } else if (strcasecmp(sql, "SELECT 1/0") == 0) p->kind = FAKE_DIV0; /* fails before rows */
    else if (fake_prefix(sql, "SHOW ", &r)) {
        p->kind = FAKE_SHOW;
        snprintf(p->name, sizeof p->name, "%s", r);
        fake_col(p, p->name, 25);
    } else if (fake_prefix(sql, "SET ", &r)) {
        p->kind = FAKE_SET;
        char name[64], value[FAKE_TEXT_BYTES];
        if (sscanf(r, "%63[A-Za-z_] = %255[^\n]", name, value) != 2 &&
            sscanf(r, "%63[A-Za-z_] TO %255[^\n]", name, value) != 2) {
            rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "syntax error at end of input");
            return false;
        }
        snprintf(p->name, sizeof p->name, "%s", name);
        const char *v = value;
        size_t n = strlen(v);
        if (n >= 2 && v[0] == '\'' && v[n - 1] == '\'') v++, n -= 2;
        snprintf(p->value, sizeof p->value, "%.*s", (int)n, v);
    } else if (strcasecmp(sql, "BEGIN") == 0) p->kind = FAKE_BEGIN;
    else if (strcasecmp(sql, "COMMIT") == 0 || strcasecmp(sql, "END") == 0) p->kind = FAKE_COMMIT;
    else if (strcasecmp(sql, "ROLLBACK") == 0) p->kind = FAKE_ROLLBACK;
    else if (strcasecmp(sql, "NOTICE") == 0) p->kind = FAKE_NOTICE;
    else if (strcasecmp(sql, "COPY t FROM STDIN") == 0) p->kind = FAKE_COPY_IN;
    else if (strcasecmp(sql, "COPY t TO STDOUT") == 0) p->kind = FAKE_COPY_OUT;
    else if (strcasecmp(sql, "TERMINATE") == 0) p->kind = FAKE_TERMINATE;
    else {
        size_t n = strcspn(sql, " \t\n;");
        rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "syntax error at or near \"%.*s\"", (int)n, sql);
        err->position = 1;
        return false;
    }
    return true;
}

static bool fake_batch_rows(sql_session *s, const fake_plan *p, const fake_portal *portal,
                            uint64_t from, uint64_t count, const int16_t *formats,
                            const sql_sink *sink, rt_err *err) {
    while (count > 0) {
        uint32_t k = count > SQL_BATCH_ROWS ? SQL_BATCH_ROWS : (uint32_t)count;
        rt_arena_reset(s->arena);
        sql_batch *b = sql_batch_new(s->arena, p->ncols, k);
        if (b == NULL) return rt_arena_fail(s->arena, err);
        for (uint32_t c = 0; c < p->ncols; c++) {
            uint32_t type = p->cols[c].type_oid == 2278 ? 25 : p->cols[c].type_oid;
            if (!sql_vec_init(s->arena, &b->cols[c], type, -1, k)) {
                return rt_arena_fail(s->arena, err);
            }
        }
        for (uint32_t i = 0; i < k; i++) {
            uint64_t row = from + i + 1;
            sql_value v = {.type_oid = 23};
            char *text = rt_arena_alloc(s->arena, FAKE_TEXT_BYTES);
            if (p->kind == FAKE_SERIES) {
                v.i64 = (int64_t)row;
                sql_vec_set(&b->cols[0], i, &v);
                int n = snprintf(text, FAKE_TEXT_BYTES, "row %llu", (unsigned long long)row);
                v = (sql_value){.type_oid = 25, .is_null = row % 10 == 0};
                v.b = (sql_bytes){(const uint8_t *)text, (uint32_t)n};
                sql_vec_set(&b->cols[1], i, &v);
            } else if (p->kind == FAKE_PARAM) {
                v.type_oid = p->cols[0].type_oid;
                v.is_null = portal->null[0];
                if (v.type_oid == 23 || v.type_oid == 20) v.i64 = portal->ival[0];
                else v.b = (sql_bytes){(const uint8_t *)portal->text[0],
                                       (uint32_t)strlen(portal->text[0])};
                sql_vec_set(&b->cols[0], i, &v);
            } else if (p->kind == FAKE_BIG) {
                uint8_t *big = rt_arena_alloc(s->arena, p->n + 1);
                if (big == NULL) return rt_arena_fail(s->arena, err);
                memset(big, 'x', p->n);
                v = (sql_value){.type_oid = 25, .b = {big, (uint32_t)p->n}};
                sql_vec_set(&b->cols[0], i, &v);
            } else if (p->kind == FAKE_SHOW) {
                fake_setting *st = fake_setting_find(s, p->name);
                v = (sql_value){.type_oid = 25, .b = {(const uint8_t *)st->value,
                                                      (uint32_t)strlen(st->value)}};
                sql_vec_set(&b->cols[0], i, &v);
            } else if (p->kind == FAKE_SLEEP) {
                v = (sql_value){.type_oid = 25, .b = {(const uint8_t *)"", 0}};
                sql_vec_set(&b->cols[0], i, &v);
            } else {
                v.i64 = 1;
                sql_vec_set(&b->cols[0], i, &v);
            }
        }
        b->rows = k;
        if (!sink->rows(sink->arg, b, 0, k, formats, err)) return false;
        from += k;
        count -= k;
    }
    return true;
}

static uint64_t fake_row_count(const fake_plan *p) {
    return p->kind == FAKE_SERIES ? p->n : 1;
}

static bool fake_sleep(sql_session *s, uint64_t ms, rt_err *err) {
    uint64_t end = rt_time_mono_ns() + ms * RT_NS_PER_MS;
    while (rt_time_mono_ns() < end) {
        if (s->cancel != NULL && atomic_load(s->cancel)) {
            return rt_err_set(err, SQLSTATE_QUERY_CANCELED,
                              "canceling statement due to user request");
        }
        rt_fiber_sleep_ns(5 * RT_NS_PER_MS);
    }
    return true;
}

static bool fake_copy_in(const sql_sink *sink, char *tag, rt_err *err) {
    sql_copy_desc d = {.binary = false, .ncols = 2};
    if (!sink->copy_in(sink->arg, &d, err)) return false;
    uint64_t lines = 0;
    bool bad = false;
    for (;;) {
        const uint8_t *data;
        uint32_t len;
        bool done;
        if (!sink->copy_read(sink->arg, &data, &len, &done, err)) return false;
        if (done) break;
        for (uint32_t i = 0; i < len; i++) lines += data[i] == '\n';
        if (len >= 3 && memmem(data, len, "bad", 3) != NULL) bad = true;
    }
    if (bad) return rt_err_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                               "invalid input syntax for type integer: \"bad\"");
    snprintf(tag, SQL_TAG_BYTES, "COPY %llu", (unsigned long long)lines);
    return true;
}

static bool fake_copy_out(const sql_sink *sink, char *tag, rt_err *err) {
    sql_copy_desc d = {.binary = false, .ncols = 2};
    static const char *lines[] = {"1\tone\n", "2\ttwo\n", "3\t\\N\n"};
    if (!sink->copy_out(sink->arg, &d, err)) return false;
    for (int i = 0; i < 3; i++) {
        if (!sink->copy_write(sink->arg, lines[i], (uint32_t)strlen(lines[i]), err)) return false;
    }
    if (!sink->copy_done(sink->arg, err)) return false;
    snprintf(tag, SQL_TAG_BYTES, "COPY 3");
    return true;
}

/* Statements without rows; *tag gets the command tag. */
static bool fake_utility(sql_session *s, const fake_plan *p, const sql_sink *sink, char *tag,
                         rt_err *err) {
    switch (p->kind) {
    case FAKE_SET:
        if (!fake_setting_put(s, p->name, p->value, err)) return false;
        snprintf(tag, SQL_TAG_BYTES, "SET");
        return true;
    case FAKE_BEGIN: s->in_block = true; snprintf(tag, SQL_TAG_BYTES, "BEGIN"); return true;
    case FAKE_COMMIT:
        snprintf(tag, SQL_TAG_BYTES, "%s", s->failed ? "ROLLBACK" : "COMMIT");
        s->in_block = s->failed = false;
        return true;
    case FAKE_ROLLBACK:
        s->in_block = s->failed = false;
        snprintf(tag, SQL_TAG_BYTES, "ROLLBACK");
        return true;
    case FAKE_NOTICE: {
        rt_err n;
        rt_err_clear(&n);
        rt_err_set(&n, "00000", "hello from the fake session");
        rt_err_detail(&n, "A detail.");
        sink->notice(sink->arg, "NOTICE", &n);
        snprintf(tag, SQL_TAG_BYTES, "DO");
        return true;
    }
    case FAKE_COPY_IN: return fake_copy_in(sink, tag, err);
    case FAKE_COPY_OUT: return fake_copy_out(sink, tag, err);
    case FAKE_TERMINATE:
        rt_err_set(err, SQLSTATE_ADMIN_SHUTDOWN,
                   "terminating connection due to administrator command");
        err->severity = RT_SEV_FATAL;
        return false;
    default: return rt_err_set(err, SQLSTATE_INTERNAL_ERROR, "fake: unexpected statement");
    }
}

static bool fake_returns_rows(const fake_plan *p) { return p->ncols > 0; }

/* Runs rows [from, from + max) of a planned statement. */
static bool fake_run(sql_session *s, fake_plan *p, fake_portal *portal, uint64_t max_rows,
                     const int16_t *formats, const sql_sink *sink, bool *suspended,
                     rt_err *err) {
    char tag[SQL_TAG_BYTES];
    *suspended = false;
    if (s->failed && p->kind != FAKE_COMMIT && p->kind != FAKE_ROLLBACK) {
        return rt_err_set(err, SQLSTATE_IN_FAILED_SQL_TRANSACTION, "current transaction is "
                          "aborted, commands ignored until end of transaction block");
    }
    if (p->kind == FAKE_EMPTY) return sink->empty(sink->arg, err);
    if (p->kind == FAKE_DIV0) return rt_err_set(err, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
    if (p->kind == FAKE_SHOW && fake_setting_find(s, p->name) == NULL) {
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                          "unrecognized configuration parameter \"%s\"", p->name);
    }
    if (p->kind == FAKE_SLEEP && !fake_sleep(s, p->n, err)) return false;
    if (!fake_returns_rows(p)) {
        if (!fake_utility(s, p, sink, tag, err)) return false;
        return sink->complete(sink->arg, tag, err);
    }
    uint64_t from = portal != NULL ? portal->pos : 0, total = fake_row_count(p);
    uint64_t count = total - from;
    if (max_rows > 0 && count > max_rows) count = max_rows, *suspended = true;
    if (!fake_batch_rows(s, p, portal, from, count, formats, sink, err)) return false;
    if (portal != NULL) portal->pos += count;
    if (*suspended) return true;
    snprintf(tag, SQL_TAG_BYTES, "SELECT %llu", (unsigned long long)count);
    return sink->complete(sink->arg, tag, err);
}

static void fake_trim(char *text) {
    char *p = text;
    while (isspace((unsigned char)*p)) p++;
    memmove(text, p, strlen(p) + 1);
    size_t n = strlen(text);
    while (n > 0 && (isspace((unsigned char)text[n - 1]) || text[n - 1] == ';')) text[--n] = '\0';
}

static void fake_error(sql_session *s) {
    if (s->in_block) s->failed = true;
}

bool sql_session_simple_query(sql_session *s, const char *sql, uint32_t len,
                              const sql_sink *sink, rt_err *err) {
    char *copy = rt_xmalloc(len + 1);
    memcpy(copy, sql, len);
    copy[len] = '\0';
    bool ok = true, any = false;
    for (char *save = NULL, *one = strtok_r(copy, ";", &save); one != NULL && ok;
         one = strtok_r(NULL, ";", &save)) {
        fake_trim(one);
        if (one[0] == '\0') continue;
        any = true;
        fake_plan p;
        bool suspended;
        ok = fake_classify(one, &p, err);
        if (ok && fake_returns_rows(&p) && !s->failed) {
            ok = sink->describe(sink->arg, p.cols, p.ncols, NULL, err);
        }
        ok = ok && fake_run(s, &p, NULL, 0, NULL, sink, &suspended, err);
        if (!ok) fake_error(s);
    }
    if (ok && !any) ok = sink->empty(sink->arg, err);
    rt_free(copy);
    return ok;
}

/* ---- extended protocol ---- */

static fake_stmt *fake_stmt_find(sql_session *s, const char *name) {
    for (uint32_t i = 0; i < FAKE_STMTS_MAX; i++) {
        if (s->stmts[i].used && strcmp(s->stmts[i].name, name) == 0) return &s->stmts[i];
    }
    return NULL;
}

static fake_portal *fake_portal_find(sql_session *s, const char *name) {
    for (uint32_t i = 0; i < FAKE_STMTS_MAX; i++) {
        if (s->portals[i].used && strcmp(s->portals[i].name, name) == 0) return &s->portals[i];
    }
    return NULL;
}

bool sql_session_parse(sql_session *s, const char *name, const char *sql, uint32_t len,
                       uint32_t nparams, const uint32_t *param_types, rt_err *err) {
    fake_stmt *st = fake_stmt_find(s, name);
    if (st != NULL && name[0] != '\0') {
        return rt_err_set(err, SQLSTATE_DUPLICATE_PREPARED_STATEMENT,
                          "prepared statement \"%s\" already exists", name);
    }
    char text[FAKE_TEXT_BYTES];
    snprintf(text, sizeof text, "%.*s", (int)len, sql);
    fake_trim(text);
    fake_plan p;
    if (!fake_classify(text, &p, err)) return false;
    if (st == NULL) {
        for (uint32_t i = 0; i < FAKE_STMTS_MAX && st == NULL; i++) {
            if (!s->stmts[i].used) st = &s->stmts[i];
        }
        if (st == NULL) return rt_err_set(err, SQLSTATE_OUT_OF_MEMORY, "fake: too many");
    }
    memset(st, 0, sizeof *st);
    st->used = true;
    snprintf(st->name, sizeof st->name, "%s", name);
    snprintf(st->text, sizeof st->text, "%.*s", (int)len, sql);
    st->plan = p;
    st->nparams = p.kind == FAKE_PARAM ? 1 : 0;
    if (st->nparams == 1) {
        st->types[0] = nparams > 0 && param_types[0] != 0 ? param_types[0] : 25;
        st->plan.cols[0].type_oid = st->types[0];
    }
    return true;
}

bool sql_session_statement_text(sql_session *s, const char *name, const char **text,
                                uint32_t *len) {
    const fake_stmt *st = fake_stmt_find(s, name);
    if (st == NULL) return false;
    *text = st->text;
    *len = (uint32_t)strlen(st->text);
    return true;
}

static bool fake_param_decode(fake_portal *pt, const sql_bind_args *a, rt_err *err) {
    uint32_t type = pt->stmt.types[0];
    const uint8_t *v = a->values[0];
    uint32_t n = a->lengths[0];
    pt->null[0] = v == NULL;
    if (v == NULL) return true;
    if (a->param_formats[0] == 1 && type == 23) {
        if (n != 4) return rt_err_set(err, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                                      "incorrect binary data format in bind parameter 1");
        pt->ival[0] = (int32_t)((uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 |
                                (uint32_t)v[2] << 8 | v[3]);
        return true;
    }
    snprintf(pt->text[0], FAKE_TEXT_BYTES, "%.*s", (int)n, (const char *)v);
    if (type == 23) {
        char *end;
        pt->ival[0] = strtol(pt->text[0], &end, 10);
        if (end == pt->text[0] || *end != '\0') {
            return rt_err_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                              "invalid input syntax for type integer: \"%s\"", pt->text[0]);
        }
    }
    return true;
}

bool sql_session_bind(sql_session *s, const sql_bind_args *a, rt_err *err) {
    fake_stmt *st = fake_stmt_find(s, a->statement);
    if (st == NULL) {
        return rt_err_set(err, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                          "prepared statement \"%s\" does not exist", a->statement);
    }
    if (a->nparams != st->nparams) {
        return rt_err_set(err, SQLSTATE_PROTOCOL_VIOLATION, "bind message supplies %u "
                          "parameters, but prepared statement \"%s\" requires %u", a->nparams,
                          a->statement, st->nparams);
    }
    fake_portal *pt = fake_portal_find(s, a->portal);
    if (pt != NULL && a->portal[0] != '\0') {
        return rt_err_set(err, SQLSTATE_DUPLICATE_CURSOR, "cursor \"%s\" already exists",
                          a->portal);
    }
    for (uint32_t i = 0; i < FAKE_STMTS_MAX && pt == NULL; i++) {
        if (!s->portals[i].used) pt = &s->portals[i];
    }
    if (pt == NULL) return rt_err_set(err, SQLSTATE_OUT_OF_MEMORY, "fake: too many portals");
    memset(pt, 0, sizeof *pt);
    pt->stmt = *st;
    snprintf(pt->name, sizeof pt->name, "%s", a->portal);
    for (uint32_t c = 0; c < 2; c++) {
        pt->formats[c] = a->nresult_formats == 0   ? 0
                         : a->nresult_formats == 1 ? a->result_formats[0]
                         : c < a->nresult_formats  ? a->result_formats[c]
                                                   : 0;
    }
    if (st->nparams == 1 && !fake_param_decode(pt, a, err)) return false;
    pt->used = true;
    return true;
}

bool sql_session_describe_statement(sql_session *s, const char *name, uint32_t *nparams,
                                    const uint32_t **param_types, bool *returns_rows,
                                    const sql_col **cols, uint32_t *ncols, rt_err *err) {
    fake_stmt *st = fake_stmt_find(s, name);
    if (st == NULL) {
        return rt_err_set(err, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                          "prepared statement \"%s\" does not exist", name);
    }
    *nparams = st->nparams;
    *param_types = st->types;
    *returns_rows = fake_returns_rows(&st->plan);
    *cols = st->plan.cols;
    *ncols = st->plan.ncols;
    return true;
}

bool sql_session_describe_portal(sql_session *s, const char *name, bool *returns_rows,
                                 const sql_col **cols, uint32_t *ncols,
                                 const int16_t **formats, rt_err *err) {
    fake_portal *pt = fake_portal_find(s, name);
    if (pt == NULL) {
        return rt_err_set(err, SQLSTATE_INVALID_CURSOR_NAME, "portal \"%s\" does not exist", name);
    }
    *returns_rows = fake_returns_rows(&pt->stmt.plan);
    *cols = pt->stmt.plan.cols;
    *ncols = pt->stmt.plan.ncols;
    *formats = pt->formats;
    return true;
}

bool sql_session_execute(sql_session *s, const char *portal, uint64_t max_rows,
                         const sql_sink *sink, bool *suspended, rt_err *err) {
    fake_portal *pt = fake_portal_find(s, portal);
    if (pt == NULL) {
        return rt_err_set(err, SQLSTATE_INVALID_CURSOR_NAME, "portal \"%s\" does not exist",
                          portal);
    }
    return fake_run(s, &pt->stmt.plan, pt, max_rows, pt->formats, sink, suspended, err);
}

void sql_session_close_statement(sql_session *s, const char *name) {
    fake_stmt *st = fake_stmt_find(s, name);
    if (st != NULL) st->used = false;
}

void sql_session_close_portal(sql_session *s, const char *name) {
    fake_portal *pt = fake_portal_find(s, name);
    if (pt != NULL) pt->used = false;
}

bool sql_session_sync(sql_session *s, rt_err *err) {
    (void)err;
    fake_portal *unnamed = fake_portal_find(s, "");
    if (unnamed != NULL && !s->in_block) unnamed->used = false;
    return true;
}

void sql_session_fail(sql_session *s) { fake_error(s); }

/* ---- state for functions ---- */

const char *sql_session_user(const sql_session *s) { return s->user; }
const char *sql_session_database(const sql_session *s) { return s->database; }
uint32_t sql_session_user_oid(const sql_session *s) { (void)s; return 10; }
uint32_t sql_session_db_oid(const sql_session *s) { (void)s; return 5; }
uint32_t sql_session_backend_pid(const sql_session *s) { return s->pid; }
const struct sql_stats_undo *sql_session_stats_mine(const sql_session *s) {
    (void)s;
    return NULL; /* no transactions here: no ANALYZE of their own */
}

bool sql_session_get_setting(sql_session *s, const char *name, bool missing_ok,
                             const char **value, rt_err *err) {
    fake_setting *st = fake_setting_find(s, name);
    *value = st != NULL ? st->value : NULL;
    if (st == NULL && !missing_ok) {
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT,
                          "unrecognized configuration parameter \"%s\"", name);
    }
    return true;
}

uint64_t sql_session_setting_changes(const sql_session *s) { return s->setting_changes; }

bool sql_session_set_setting(sql_session *s, const char *name, const char *value,
                             bool is_local, const char **shown, rt_err *err) {
    (void)is_local;
    if (!fake_setting_put(s, name, value, err)) return false;
    *shown = fake_setting_find(s, name)->value;
    return true;
}

void sql_session_seq_used(sql_session *s, uint32_t seq_oid, int64_t value) {
    (void)s, (void)seq_oid, (void)value;
}

bool sql_session_currval(sql_session *s, uint32_t seq_oid, const char *seq_name, int64_t *value,
                         rt_err *err) {
    (void)s, (void)seq_oid, (void)value;
    return rt_err_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                      "currval of sequence \"%s\" is not yet defined in this session", seq_name);
}

bool sql_session_lastval(sql_session *s, int64_t *value, rt_err *err) {
    (void)s, (void)value;
    return rt_err_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                      "lastval is not yet defined in this session");
}

uint32_t sql_setting_count(void) { return 0; }
const sql_setting_def *sql_setting_at(uint32_t i) { (void)i; return NULL; }

/* LISTEN / NOTIFY: the fake session never listens and NOTIFY is not one of its statements
 * (the real session's sql_notify.c is never linked in: sql_session.c alone calls it). */
bool sql_session_listening(const sql_session *s) {
    (void)s;
    return false;
}

bool sql_session_notification(sql_session *s, uint32_t *pid, char channel[64], char **payload) {
    (void)s, (void)pid, (void)channel, (void)payload;
    return false;
}

bool sql_session_notify(sql_session *s, const char *channel, const char *payload, rt_err *err) {
    (void)s, (void)channel, (void)payload;
    return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED, "NOTIFY is not supported here");
}
