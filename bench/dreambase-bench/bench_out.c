/* bench_out.c: a step's result as a terminal row and as one JSON line.
 * One table of fields drives both the JSON writer and its reader (used by --chart-from), so
 * the two cannot drift apart. Figures that do not apply are NaN in memory and null in JSON;
 * the JSON is strict (RFC 8259): strings escaped, invalid UTF-8 replaced by U+FFFD. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/dreambase-bench/bench.h"

void bench_result_init(bench_result *r) {
    memset(r, 0, sizeof *r);
    r->selectivity = r->selectivity_actual = NAN;
    r->duration_s = r->ops_per_s = r->rows_per_s = NAN;
    r->p50_ms = r->p95_ms = r->p99_ms = r->max_ms = r->mean_ms = NAN;
    r->recall = NAN;
    r->server_cpu_pct = r->server_rss_mb = r->server_bytes_per_row = NAN;
    r->client_cpu_pct = r->client_us_per_op = NAN;
    snprintf(r->filter, sizeof r->filter, "none");
}

/* ---- the field table --------------------------------------------------------------------- */

typedef enum bench_field_kind {
    BENCH_F_STR,
    BENCH_F_U64,
    BENCH_F_U32,
    BENCH_F_DBL
} bench_field_kind;

typedef struct bench_field {
    const char *name;
    bench_field_kind kind;
    size_t offset;
    size_t size;
} bench_field;

#define BENCH_FIELD(kind, member) \
    {#member, kind, offsetof(bench_result, member), sizeof(((bench_result *)0)->member)}

static const bench_field BENCH_FIELDS[] = {
    BENCH_FIELD(BENCH_F_STR, run),
    BENCH_FIELD(BENCH_F_STR, dialect),
    BENCH_FIELD(BENCH_F_STR, workload),
    BENCH_FIELD(BENCH_F_STR, step),
    BENCH_FIELD(BENCH_F_STR, op),
    BENCH_FIELD(BENCH_F_STR, filter),
    BENCH_FIELD(BENCH_F_U64, rows),
    BENCH_FIELD(BENCH_F_U32, dims),
    BENCH_FIELD(BENCH_F_U32, k),
    BENCH_FIELD(BENCH_F_U32, concurrency),
    BENCH_FIELD(BENCH_F_U32, ef_search),
    BENCH_FIELD(BENCH_F_DBL, selectivity),
    BENCH_FIELD(BENCH_F_DBL, selectivity_actual),
    BENCH_FIELD(BENCH_F_U64, ops),
    BENCH_FIELD(BENCH_F_U64, errors),
    BENCH_FIELD(BENCH_F_U64, short_results),
    BENCH_FIELD(BENCH_F_U64, wrong_rows),
    BENCH_FIELD(BENCH_F_U64, freshness_errors),
    BENCH_FIELD(BENCH_F_U64, index_misses),
    BENCH_FIELD(BENCH_F_DBL, duration_s),
    BENCH_FIELD(BENCH_F_DBL, ops_per_s),
    BENCH_FIELD(BENCH_F_DBL, rows_per_s),
    BENCH_FIELD(BENCH_F_DBL, p50_ms),
    BENCH_FIELD(BENCH_F_DBL, p95_ms),
    BENCH_FIELD(BENCH_F_DBL, p99_ms),
    BENCH_FIELD(BENCH_F_DBL, max_ms),
    BENCH_FIELD(BENCH_F_DBL, mean_ms),
    BENCH_FIELD(BENCH_F_DBL, recall),
    BENCH_FIELD(BENCH_F_U64, recall_queries),
    BENCH_FIELD(BENCH_F_DBL, server_cpu_pct),
    BENCH_FIELD(BENCH_F_DBL, server_rss_mb),
    BENCH_FIELD(BENCH_F_DBL, server_bytes_per_row),
    BENCH_FIELD(BENCH_F_DBL, client_cpu_pct),
    BENCH_FIELD(BENCH_F_DBL, client_us_per_op),
    BENCH_FIELD(BENCH_F_STR, first_error),
    BENCH_FIELD(BENCH_F_STR, plan),
};
#define BENCH_FIELD_COUNT (sizeof BENCH_FIELDS / sizeof BENCH_FIELDS[0])

/* ---- writer ------------------------------------------------------------------------------ */

typedef struct bench_buf {
    char *p;
    size_t len, cap;
    bool overflow;
} bench_buf;

static void bench_buf_put(bench_buf *b, const char *s, size_t n) {
    if (b->len + n >= b->cap) {
        b->overflow = true;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if the bytes are not one. */
static size_t bench_utf8_len(const unsigned char *s, size_t avail) {
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) n = 4, cp = c & 0x07;
    else return 0;
    if (n > avail) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    /* Overlong forms, surrogates and code points past U+10FFFF are not UTF-8. */
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
    if (cp >= 0xd800 && cp <= 0xdfff) return 0;
    return n;
}

static void bench_json_string(bench_buf *b, const char *s) {
    bench_buf_put(b, "\"", 1);
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        unsigned char c = u[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            bench_buf_put(b, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            bench_buf_put(b, esc, 6);
        } else if (c >= 0x80) {
            size_t n = bench_utf8_len(u + i, len - i);
            if (n == 0) {
                bench_buf_put(b, "\\ufffd", 6);
                i++;
                continue;
            }
            bench_buf_put(b, s + i, n);
            i += n;
            continue;
        } else {
            bench_buf_put(b, s + i, 1);
        }
        i++;
    }
    bench_buf_put(b, "\"", 1);
}

bool bench_json_format(const bench_result *r, char *out, size_t cap, rt_err *err) {
    bench_buf b = {.p = out, .len = 0, .cap = cap};
    bench_buf_put(&b, "{", 1);
    for (size_t i = 0; i < BENCH_FIELD_COUNT; i++) {
        const bench_field *f = &BENCH_FIELDS[i];
        const char *at = (const char *)r + f->offset;
        char num[40];
        if (i > 0) bench_buf_put(&b, ",", 1);
        bench_json_string(&b, f->name);
        bench_buf_put(&b, ":", 1);
        switch (f->kind) {
        case BENCH_F_STR:
            bench_json_string(&b, at);
            continue;
        case BENCH_F_U64:
            snprintf(num, sizeof num, "%llu", (unsigned long long)*(const uint64_t *)at);
            break;
        case BENCH_F_U32:
            snprintf(num, sizeof num, "%u", *(const uint32_t *)at);
            break;
        case BENCH_F_DBL: {
            double d = *(const double *)at;
            if (isfinite(d)) {
                snprintf(num, sizeof num, "%.9g", d);
            } else {
                snprintf(num, sizeof num, "null");
            }
            break;
        }
        }
        bench_buf_put(&b, num, strlen(num));
    }
    bench_buf_put(&b, "}", 1);
    if (b.overflow) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "JSON line longer than %zu bytes", cap);
    }
    return true;
}

/* ---- reader ------------------------------------------------------------------------------ */

typedef struct bench_json_in {
    const char *p;
} bench_json_in;

static void bench_json_ws(bench_json_in *in) {
    while (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r') in->p++;
}

static int bench_hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool bench_json_u4(bench_json_in *in, uint32_t *cp) {
    *cp = 0;
    for (int i = 0; i < 4; i++) {
        int h = bench_hex(in->p[i]);
        if (h < 0) return false;
        *cp = *cp << 4 | (uint32_t)h;
    }
    in->p += 4;
    return true;
}

static size_t bench_utf8_put(uint32_t cp, char *out) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* One escape after the backslash; appends its UTF-8 to out. */
static bool bench_json_escape(bench_json_in *in, char *out, size_t *len) {
    char c = *in->p++;
    const char *simple = "\"\\/bfnrt", *meaning = "\"\\/\b\f\n\r\t";
    const char *hit = c != '\0' ? strchr(simple, c) : NULL;
    if (hit != NULL) {
        out[(*len)++] = meaning[hit - simple];
        return true;
    }
    uint32_t cp;
    if (c != 'u' || !bench_json_u4(in, &cp)) return false;
    if (cp >= 0xd800 && cp <= 0xdbff) { /* a high surrogate must pair with a low one */
        uint32_t lo;
        if (in->p[0] != '\\' || in->p[1] != 'u') return false;
        in->p += 2;
        if (!bench_json_u4(in, &lo) || lo < 0xdc00 || lo > 0xdfff) return false;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        return false;
    }
    *len += bench_utf8_put(cp, out + *len);
    return true;
}

/* A string into out (cap bytes, truncated safely: only our own short fields are kept). */
static bool bench_json_read_string(bench_json_in *in, char *out, size_t cap) {
    if (*in->p != '"') return false;
    in->p++;
    char tmp[8];
    size_t len = 0;
    for (;;) {
        unsigned char c = (unsigned char)*in->p;
        if (c == '\0' || c < 0x20) return false;
        in->p++;
        if (c == '"') break;
        size_t n = 0;
        if (c == '\\') {
            if (!bench_json_escape(in, tmp, &n)) return false;
        } else {
            tmp[n++] = (char)c;
        }
        if (len + n < cap) {
            memcpy(out + len, tmp, n);
            len += n;
        }
    }
    if (cap > 0) out[len < cap ? len : cap - 1] = '\0';
    return true;
}

/* A JSON number (strict grammar); null gives NaN. */
static bool bench_json_read_number(bench_json_in *in, double *value) {
    const char *s = in->p, *p = s;
    if (strncmp(p, "null", 4) == 0) {
        in->p += 4;
        *value = NAN;
        return true;
    }
    if (*p == '-') p++;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (*p >= '0' && *p <= '9') p++;
    else return false;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9') return false;
        while (*p >= '0' && *p <= '9') p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (*p < '0' || *p > '9') return false;
        while (*p >= '0' && *p <= '9') p++;
    }
    *value = strtod(s, NULL);
    in->p = p;
    return true;
}

static const bench_field *bench_json_field(const char *name) {
    for (size_t i = 0; i < BENCH_FIELD_COUNT; i++) {
        if (strcmp(BENCH_FIELDS[i].name, name) == 0) return &BENCH_FIELDS[i];
    }
    return NULL;
}

static bool bench_json_read_value(bench_json_in *in, const bench_field *f, bench_result *r) {
    char scratch[BENCH_ERROR_BYTES_MAX];
    char *at = f != NULL ? (char *)r + f->offset : NULL;
    if (*in->p == '"') {
        if (f != NULL && f->kind == BENCH_F_STR) return bench_json_read_string(in, at, f->size);
        return bench_json_read_string(in, scratch, sizeof scratch);
    }
    if (strncmp(in->p, "true", 4) == 0 || strncmp(in->p, "false", 5) == 0) {
        in->p += in->p[0] == 't' ? 4 : 5;
        return true;
    }
    double d;
    if (!bench_json_read_number(in, &d)) return false;
    if (f == NULL) return true;
    switch (f->kind) {
    case BENCH_F_STR: break;
    case BENCH_F_DBL: *(double *)at = d; break;
    case BENCH_F_U64: *(uint64_t *)at = d >= 0 && isfinite(d) ? (uint64_t)d : 0; break;
    case BENCH_F_U32: *(uint32_t *)at = d >= 0 && d < 4294967296.0 ? (uint32_t)d : 0; break;
    }
    return true;
}

bool bench_json_parse(const char *line, bench_result *r, rt_err *err) {
    bench_result_init(r);
    bench_json_in in = {.p = line};
    bench_json_ws(&in);
    if (*in.p++ != '{') goto bad;
    bench_json_ws(&in);
    if (*in.p == '}') {
        in.p++;
    } else {
        for (;;) {
            char key[64];
            bench_json_ws(&in);
            if (!bench_json_read_string(&in, key, sizeof key)) goto bad;
            bench_json_ws(&in);
            if (*in.p++ != ':') goto bad;
            bench_json_ws(&in);
            if (!bench_json_read_value(&in, bench_json_field(key), r)) goto bad;
            bench_json_ws(&in);
            char c = *in.p++;
            if (c == '}') break;
            if (c != ',') goto bad;
        }
    }
    bench_json_ws(&in);
    if (*in.p == '\0') return true;
bad:
    return rt_err_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                      "invalid JSON result line near \"%.20s\"", in.p > line ? in.p - 1 : line);
}

/* ---- terminal table ---------------------------------------------------------------------- */

static void bench_cell(FILE *out, double v, int width, int decimals) {
    if (isfinite(v)) {
        fprintf(out, " %*.*f", width, decimals, v);
    } else {
        fprintf(out, " %*s", width, "-");
    }
}

void bench_table_header(FILE *out) {
    fprintf(out, "%-8s %-20s %-10s %8s %10s %8s %8s %8s %8s %7s %6s %6s %6s %6s %6s\n",
            "workload", "step", "op", "ops", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms",
            "recall", "errors", "short", "srvcpu", "srvMB", "client");
}

void bench_table_row(FILE *out, const bench_result *r) {
    uint64_t bad = r->errors + r->wrong_rows + r->freshness_errors;
    fprintf(out, "%-8s %-20s %-10s %8llu", r->workload, r->step, r->op,
            (unsigned long long)r->ops);
    bench_cell(out, isfinite(r->rows_per_s) ? r->rows_per_s : r->ops_per_s, 10, 0);
    bench_cell(out, r->p50_ms, 8, 3);
    bench_cell(out, r->p95_ms, 8, 3);
    bench_cell(out, r->p99_ms, 8, 3);
    bench_cell(out, r->max_ms, 8, 3);
    bench_cell(out, r->recall, 7, 4);
    fprintf(out, " %6llu %6llu", (unsigned long long)bad, (unsigned long long)r->short_results);
    bench_cell(out, r->server_cpu_pct, 6, 0);
    bench_cell(out, r->server_rss_mb, 6, 0);
    bench_cell(out, r->client_cpu_pct, 5, 0);
    fprintf(out, "%s\n", isfinite(r->client_cpu_pct) ? "%" : "");
}
