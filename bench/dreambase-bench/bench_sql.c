/* bench_sql.c: the SQL text of both dialects, and vectors as parameters.
 * The dialects differ only here, in the words of a statement: Dreambase orders by
 * `embedding NEAR $1` and indexes vectors by itself; pgvector orders by an operator (<=>
 * cosine, <-> L2, <#> negative inner product) and needs CREATE EXTENSION and CREATE INDEX
 * ... USING hnsw. Everything else (the table, the filters, the scalar indexes, the
 * parameters) is the same text, so both servers run the same workload. The exact dialect is
 * PostgreSQL with a vector type and no vector index at all (pgvector's operators, exact
 * scans): a baseline where pgvector is not installed. */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/dreambase-bench/bench.h"
#include "runtime/rt_mem.h"

/* snprintf into a BENCH_SQL_BYTES_MAX buffer; every input is validated or bounded before it
 * gets here (the table name is an identifier of at most 63 bytes), so truncation is a bug. */
__attribute__((format(printf, 2, 3))) static const char *bench_sql_printf(char *out,
                                                                          const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(out, BENCH_SQL_BYTES_MAX, fmt, ap);
    va_end(ap);
    RT_ASSERT(len > 0 && len < BENCH_SQL_BYTES_MAX);
    return out;
}

static const char *bench_sql_operator(bench_metric metric) {
    switch (metric) {
    case BENCH_METRIC_COSINE: return "<=>";
    case BENCH_METRIC_L2: return "<->";
    case BENCH_METRIC_IP: return "<#>";
    }
    RT_UNREACHABLE();
}

static const char *bench_sql_opclass(bench_metric metric) {
    switch (metric) {
    case BENCH_METRIC_COSINE: return "vector_cosine_ops";
    case BENCH_METRIC_L2: return "vector_l2_ops";
    case BENCH_METRIC_IP: return "vector_ip_ops";
    }
    RT_UNREACHABLE();
}

const char *bench_sql_drop_table(const bench_schema *s, char *out) {
    return bench_sql_printf(out, "DROP TABLE IF EXISTS %s", s->table);
}

const char *bench_sql_create_extension(const bench_schema *s, char *out) {
    if (s->dialect != BENCH_DIALECT_PGVECTOR || s->dims == 0) return NULL;
    return bench_sql_printf(out, "CREATE EXTENSION IF NOT EXISTS vector");
}

const char *bench_sql_create_table(const bench_schema *s, char *out) {
    char vec[48] = "";
    if (s->dims > 0) snprintf(vec, sizeof vec, ", embedding vector(%u)", s->dims);
    return bench_sql_printf(out,
                            "CREATE TABLE %s (id bigint PRIMARY KEY, user_id text NOT NULL, "
                            "content text, category text, created_at timestamptz, "
                            "bucket integer NOT NULL%s)", s->table, vec);
}

const char *bench_sql_create_vector_index(const bench_schema *s, char *out) {
    if (s->dialect == BENCH_DIALECT_EXACT || s->dims == 0) return NULL;
    /* Dreambase keeps a cosine HNSW graph of every vector column by itself; its planner walks
     * a graph only for the graph's own metric, so l2 and ip need an explicit index (which
     * replaces the automatic one), as do non-default graph options. */
    if (s->dialect == BENCH_DIALECT_DREAMBASE && s->metric == BENCH_METRIC_COSINE &&
        s->hnsw_m == 0 && s->ef_construction == 0) {
        return NULL;
    }
    char with[80] = "";
    if (s->hnsw_m != 0 && s->ef_construction != 0) {
        snprintf(with, sizeof with, " WITH (m = %u, ef_construction = %u)", s->hnsw_m,
                 s->ef_construction);
    } else if (s->hnsw_m != 0) {
        snprintf(with, sizeof with, " WITH (m = %u)", s->hnsw_m);
    } else if (s->ef_construction != 0) {
        snprintf(with, sizeof with, " WITH (ef_construction = %u)", s->ef_construction);
    }
    return bench_sql_printf(out, "CREATE INDEX ON %s USING hnsw (embedding %s)%s", s->table,
                            bench_sql_opclass(s->metric), with);
}

const char *bench_sql_create_scalar_index(const bench_schema *s, const char *column,
                                          char *out) {
    return bench_sql_printf(out, "CREATE INDEX ON %s (%s)", s->table, column);
}

const char *bench_sql_analyze(const bench_schema *s, char *out) {
    return bench_sql_printf(out, "ANALYZE %s", s->table);
}

const char *bench_sql_count(const bench_schema *s, char *out) {
    return bench_sql_printf(out, "SELECT count(*) FROM %s", s->table);
}

const char *bench_sql_noop(char *out) { return bench_sql_printf(out, "SELECT 1"); }

const char *bench_sql_topk(const bench_schema *s, uint32_t bucket_bound, bool user_filter,
                           char *out) {
    RT_ASSERT(s->dims > 0);
    RT_ASSERT(!(user_filter && bucket_bound != 0));
    char where[48] = "";
    /* The bound is a literal, not a parameter: a planner then sees the real selectivity
     * instead of a generic plan's guess (the statement is prepared once per step). */
    if (bucket_bound != 0) snprintf(where, sizeof where, " WHERE bucket < %u", bucket_bound);
    if (user_filter) snprintf(where, sizeof where, " WHERE user_id = $2");
    if (s->dialect == BENCH_DIALECT_DREAMBASE && s->metric == BENCH_METRIC_COSINE) {
        return bench_sql_printf(out, "SELECT id FROM %s%s ORDER BY embedding NEAR $1 LIMIT %u",
                                s->table, where, s->k);
    }
    /* Dreambase also speaks pgvector's operators; they name the metric explicitly. */
    return bench_sql_printf(out, "SELECT id FROM %s%s ORDER BY embedding %s $1 LIMIT %u",
                            s->table, where, bench_sql_operator(s->metric), s->k);
}

const char *bench_sql_point(const bench_schema *s, char *out) {
    return bench_sql_printf(out, "SELECT id, user_id, category, bucket FROM %s WHERE id = $1",
                            s->table);
}

const char *bench_sql_update(const bench_schema *s, char *out) {
    if (s->dims == 0) {
        return bench_sql_printf(out, "UPDATE %s SET content = $2 WHERE id = $1", s->table);
    }
    return bench_sql_printf(out, "UPDATE %s SET embedding = $2, content = $3 WHERE id = $1",
                            s->table);
}

const char *bench_sql_read_vector(const bench_schema *s, char *out) {
    RT_ASSERT(s->dims > 0);
    return bench_sql_printf(out, "SELECT embedding FROM %s WHERE id = $1", s->table);
}

const char *bench_sql_set_ef_search(const bench_schema *s, uint32_t ef_search, char *out) {
    (void)s;
    return bench_sql_printf(out, "SET hnsw.ef_search = %u", ef_search);
}

const char *bench_sql_set_iterative_scan(const bench_schema *s, char *out) {
    /* Dreambase's ANN-first path widens its search by itself until k rows pass. */
    if (s->dialect != BENCH_DIALECT_PGVECTOR) return NULL;
    return bench_sql_printf(out, "SET hnsw.iterative_scan = relaxed_order");
}

static const char *bench_sql_columns(const bench_schema *s) {
    return s->dims > 0 ? "id, user_id, content, category, created_at, bucket, embedding"
                       : "id, user_id, content, category, created_at, bucket";
}

const char *bench_sql_copy(const bench_schema *s, bool binary, char *out) {
    return bench_sql_printf(out, "COPY %s (%s) FROM STDIN%s", s->table, bench_sql_columns(s),
                            binary ? " WITH (FORMAT binary)" : "");
}

uint32_t bench_sql_column_count(const bench_schema *s) { return s->dims > 0 ? 7 : 6; }

char *bench_sql_insert(const bench_schema *s, uint32_t rows) {
    RT_ASSERT(rows > 0);
    uint32_t cols = bench_sql_column_count(s);
    RT_ASSERT((uint64_t)rows * cols <= BENCH_INSERT_PARAMS_MAX);
    /* ", $65535": at most 8 bytes per parameter, "(),"  per row, plus the statement's head. */
    size_t cap = (size_t)rows * (cols * 8 + 4) + 256;
    char *sql = rt_xmalloc(cap);
    size_t len = (size_t)snprintf(sql, cap, "INSERT INTO %s (%s) VALUES ", s->table,
                                  bench_sql_columns(s));
    uint32_t param = 1;
    for (uint32_t r = 0; r < rows; r++) {
        sql[len++] = r == 0 ? '(' : ',';
        if (r > 0) sql[len++] = '(';
        for (uint32_t c = 0; c < cols; c++) {
            len += (size_t)snprintf(sql + len, cap - len, c == 0 ? "$%u" : ", $%u", param++);
        }
        sql[len++] = ')';
    }
    sql[len] = '\0';
    RT_ASSERT(len < cap);
    return sql;
}

/* ---- vectors as text and binary ---------------------------------------------------------- */

/* Powers of ten as doubles for scaling a float to 9 digits; 10^p for p in [-30, 55] covers
 * every float (1e-45 .. 3.4e38). Beyond 10^22 the doubles are rounded, which costs at most
 * an ulp of a double: far below the half float ulp a 9-digit decimal must stay within. */
static double bench_pow10_table[86];
static pthread_once_t bench_pow10_once = PTHREAD_ONCE_INIT;

static void bench_pow10_init(void) {
    for (int i = 0; i < 86; i++) bench_pow10_table[i] = pow(10.0, i - 30);
}

static double bench_pow10(int p) {
    pthread_once(&bench_pow10_once, bench_pow10_init);
    RT_ASSERT(p >= -30 && p <= 55);
    return bench_pow10_table[p + 30];
}

/* The 9 significant digits of d > 0 as an integer in [1e8, 1e9), and d's decimal exponent. */
static uint64_t bench_float_digits(double d, int *exp10) {
    int e = (int)floor(log10(d));
    uint64_t m = (uint64_t)llround(d * bench_pow10(8 - e));
    if (m >= 1000000000ull) { /* log10 rounded down a power of ten, or 9.999999995 rounded up */
        e++;
        m = (uint64_t)llround(d * bench_pow10(8 - e));
    } else if (m < 100000000ull) {
        e--;
        m = (uint64_t)llround(d * bench_pow10(8 - e));
    }
    if (m >= 1000000000ull) { /* 9.9999999996e-5 style: rounding carried into a new digit */
        m /= 10;
        e++;
    }
    *exp10 = e;
    return m;
}

size_t bench_float_format(float value, char *out) {
    RT_ASSERT(isfinite(value));
    char *p = out;
    if (value == 0) {
        *p++ = '0';
        *p = '\0';
        return 1;
    }
    if (value < 0) *p++ = '-';
    int e;
    uint64_t m = bench_float_digits(fabs((double)value), &e);
    char digits[10];
    int nd = 9;
    for (int i = 8; i >= 0; i--) {
        digits[i] = (char)('0' + m % 10);
        m /= 10;
    }
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    if (e < -4 || e >= 9) { /* d.ddde-XX, as C's %g would */
        *p++ = digits[0];
        if (nd > 1) {
            *p++ = '.';
            for (int i = 1; i < nd; i++) *p++ = digits[i];
        }
        p += sprintf(p, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    } else if (e < 0) { /* 0.000ddd */
        *p++ = '0';
        *p++ = '.';
        for (int i = -1; i > e; i--) *p++ = '0';
        for (int i = 0; i < nd; i++) *p++ = digits[i];
    } else { /* ddd.ddd */
        for (int i = 0; i <= e; i++) *p++ = i < nd ? digits[i] : '0';
        if (nd > e + 1) {
            *p++ = '.';
            for (int i = e + 1; i < nd; i++) *p++ = digits[i];
        }
    }
    *p = '\0';
    RT_ASSERT((size_t)(p - out) <= BENCH_FLOAT_TEXT_BYTES_MAX);
    return (size_t)(p - out);
}

size_t bench_vector_format_text(const float *v, uint32_t dims, char *out) {
    RT_ASSERT(dims <= BENCH_DIMS_MAX);
    size_t len = 0;
    out[len++] = '[';
    for (uint32_t i = 0; i < dims; i++) {
        if (i > 0) out[len++] = ',';
        len += bench_float_format(v[i], out + len);
    }
    out[len++] = ']';
    out[len] = '\0';
    return len;
}

size_t bench_vector_format_binary(const float *v, uint32_t dims, char *out) {
    RT_ASSERT(dims <= BENCH_DIMS_MAX);
    unsigned char *p = (unsigned char *)out;
    p[0] = (unsigned char)(dims >> 8);
    p[1] = (unsigned char)dims;
    p[2] = p[3] = 0; /* "unused", always 0 */
    for (uint32_t i = 0; i < dims; i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], 4);
        unsigned char *q = p + 4 + 4 * (size_t)i;
        q[0] = (unsigned char)(bits >> 24);
        q[1] = (unsigned char)(bits >> 16);
        q[2] = (unsigned char)(bits >> 8);
        q[3] = (unsigned char)bits;
    }
    return 4 + 4 * (size_t)dims;
}

bool bench_vector_parse_text(const char *text, uint32_t dims, float *out, rt_err *err) {
    const char *p = text;
    while (*p == ' ') p++;
    if (*p++ != '[') goto bad;
    for (uint32_t i = 0; i < dims; i++) {
        char *end;
        out[i] = strtof(p, &end);
        if (end == p) goto bad;
        p = end;
        while (*p == ' ') p++;
        if (*p != (i + 1 < dims ? ',' : ']')) goto bad;
        p++;
    }
    if (dims == 0 && *p++ != ']') goto bad;
    while (*p == ' ') p++;
    if (*p != '\0') goto bad;
    return true;
bad:
    return rt_err_set(err, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                      "invalid vector text of %u dimensions: \"%.40s\"", dims, text);
}
