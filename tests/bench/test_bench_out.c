/* test_bench_out.c: the reports: JSON lines, SVG charts and the terminal table.
 * How: results with awkward text (quotes, backslashes, control bytes, invalid UTF-8, markup)
 * and NaN figures go through the writers; the output is checked by validators written here,
 * independently of the code under test: a strict RFC 8259 JSON checker and an XML
 * well-formedness checker (balanced tags, quoted attributes, escaped text). The JSON reader
 * used by --chart-from must give back what the writer wrote. */
#include <ctype.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench/dreambase-bench/bench.h"

/* ---- a strict JSON checker --------------------------------------------------------------- */

static const char *json_value(const char *p, int depth);

static const char *json_ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* Checks UTF-8 well-formedness of one sequence; returns its length or 0. */
static int json_utf8(const unsigned char *s) {
    if (s[0] < 0x80) return 1;
    int n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (n == 0 || (n == 3 && s[0] > 0xef)) return 0;
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
    }
    return n;
}

static const char *json_string(const char *p) {
    if (*p++ != '"') return NULL;
    for (;;) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') return p + 1;
        if (c < 0x20) return NULL; /* raw control bytes (and the end) are not allowed */
        if (c == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++) {
                    if (!isxdigit((unsigned char)p[i])) return NULL;
                }
                p += 5;
            } else if (*p != '\0' && strchr("\"\\/bfnrt", *p) != NULL) {
                p++;
            } else {
                return NULL;
            }
            continue;
        }
        int n = json_utf8((const unsigned char *)p);
        if (n == 0) return NULL;
        p += n;
    }
}

static const char *json_number(const char *p) {
    if (*p == '-') p++;
    if (*p == '0') p++;
    else if (isdigit((unsigned char)*p)) while (isdigit((unsigned char)*p)) p++;
    else return NULL;
    if (*p == '.') {
        if (!isdigit((unsigned char)*++p)) return NULL;
        while (isdigit((unsigned char)*p)) p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!isdigit((unsigned char)*p)) return NULL;
        while (isdigit((unsigned char)*p)) p++;
    }
    return p;
}

static const char *json_container(const char *p, int depth, char close) {
    p = json_ws(p + 1);
    if (*p == close) return p + 1;
    for (;;) {
        p = json_ws(p);
        if (close == '}') {
            p = json_string(p);
            if (p == NULL) return NULL;
            p = json_ws(p);
            if (*p++ != ':') return NULL;
        }
        p = json_value(p, depth + 1);
        if (p == NULL) return NULL;
        p = json_ws(p);
        if (*p == close) return p + 1;
        if (*p++ != ',') return NULL;
    }
}

static const char *json_value(const char *p, int depth) {
    p = json_ws(p);
    if (depth > 64) return NULL;
    if (*p == '{') return json_container(p, depth, '}');
    if (*p == '[') return json_container(p, depth, ']');
    if (*p == '"') return json_string(p);
    if (strncmp(p, "null", 4) == 0) return p + 4;
    if (strncmp(p, "true", 4) == 0) return p + 4;
    if (strncmp(p, "false", 5) == 0) return p + 5;
    return json_number(p);
}

static bool json_valid(const char *text) {
    const char *end = json_value(text, 0);
    return end != NULL && *json_ws(end) == '\0';
}

/* ---- an XML well-formedness checker ------------------------------------------------------ */

static bool xml_name(const char **p, char *out, size_t cap) {
    size_t n = 0;
    while (isalnum((unsigned char)**p) || **p == '-' || **p == ':' || **p == '_') {
        if (n + 1 >= cap) return false;
        out[n++] = *(*p)++;
    }
    out[n] = '\0';
    return n > 0;
}

/* Text and attribute values: & only as an entity, no raw <. */
static bool xml_text_ok(const char *s, const char *end) {
    for (; s < end; s++) {
        if (*s == '<') return false;
        if (*s == '&') {
            const char *semi = memchr(s, ';', (size_t)(end - s));
            if (semi == NULL || semi - s > 6) return false;
            if (strncmp(s, "&amp;", 5) && strncmp(s, "&lt;", 4) && strncmp(s, "&gt;", 4) &&
                strncmp(s, "&quot;", 6) && strncmp(s, "&apos;", 6)) {
                return false;
            }
        }
    }
    return true;
}

static bool xml_tag(const char **pp, char stack[][32], int *depth) {
    const char *p = *pp + 1;
    bool closing = *p == '/';
    if (closing) p++;
    char name[32];
    if (!xml_name(&p, name, sizeof name)) return false;
    for (;;) {
        while (isspace((unsigned char)*p)) p++;
        if (*p == '>' || (*p == '/' && p[1] == '>')) break;
        if (closing) return false;
        char attr[32];
        if (!xml_name(&p, attr, sizeof attr) || *p++ != '=' || *p != '"') return false;
        const char *v = ++p, *q = strchr(v, '"');
        if (q == NULL || !xml_text_ok(v, q)) return false;
        p = q + 1;
    }
    bool empty = *p == '/';
    *pp = p + (empty ? 2 : 1);
    if (closing) {
        if (*depth == 0 || strcmp(stack[*depth - 1], name) != 0) return false;
        (*depth)--;
    } else if (!empty) {
        if (*depth == 64) return false;
        snprintf(stack[(*depth)++], 32, "%s", name);
    }
    return true;
}

static bool xml_well_formed(const char *doc) {
    const char *p = doc;
    if (strncmp(p, "<?xml", 5) == 0) {
        p = strstr(p, "?>");
        if (p == NULL) return false;
        p += 2;
    }
    char stack[64][32];
    int depth = 0, roots = 0;
    while (*p != '\0') {
        const char *lt = strchr(p, '<');
        const char *end = lt != NULL ? lt : p + strlen(p);
        if (!xml_text_ok(p, end)) return false;
        if (depth == 0) { /* only white space outside the root element */
            for (const char *s = p; s < end; s++) {
                if (!isspace((unsigned char)*s)) return false;
            }
        }
        if (lt == NULL) break;
        if (depth == 0 && lt[1] != '/') roots++;
        p = lt;
        if (!xml_tag(&p, stack, &depth)) return false;
    }
    return depth == 0 && roots == 1;
}

/* ---- the tests --------------------------------------------------------------------------- */

static bench_result test_result(const char *workload, double recall, double qps, double sel) {
    bench_result r;
    bench_result_init(&r);
    snprintf(r.run, sizeof r.run, "run <A> & \"B\"");
    snprintf(r.dialect, sizeof r.dialect, "dreambase");
    snprintf(r.workload, sizeof r.workload, "%s", workload);
    snprintf(r.step, sizeof r.step, "ef=40");
    snprintf(r.op, sizeof r.op, "query");
    r.rows = 1000000, r.dims = 1536, r.k = 10, r.concurrency = 16, r.ef_search = 40;
    r.ops = 12345, r.errors = 1;
    r.recall = recall, r.ops_per_s = qps, r.p50_ms = 1.5, r.p95_ms = 2.5, r.p99_ms = 4.25;
    r.max_ms = 9, r.selectivity = sel;
    if (strcmp(workload, "hybrid") == 0) snprintf(r.filter, sizeof r.filter, "bucket");
    return r;
}

static void test_bench_json_is_strict_and_round_trips(void **state) {
    bench_result r = test_result("ann", 0.987654321, 4321.5, NAN);
    snprintf(r.first_error, sizeof r.first_error, "quote\" back\\slash\ttab\x01 \xc3\xa9 bad\xff");
    char line[4096];
    rt_err err;
    rt_err_clear(&err);
    assert_true(bench_json_format(&r, line, sizeof line, &err));
    assert_true(json_valid(line));
    assert_null(strchr(line, '\n'));
    assert_non_null(strstr(line, "\"selectivity\":null"));  /* NaN is null */
    assert_non_null(strstr(line, "\\u0001"));                /* control bytes escaped */
    assert_non_null(strstr(line, "\\ufffd"));                /* invalid UTF-8 replaced */
    assert_non_null(strstr(line, "\xc3\xa9"));               /* valid UTF-8 kept */
    bench_result back;
    assert_true(bench_json_parse(line, &back, &err));
    assert_string_equal(back.run, r.run);
    assert_string_equal(back.workload, "ann");
    assert_int_equal(back.rows, 1000000);
    assert_int_equal(back.ef_search, 40);
    assert_true(back.recall == r.recall && back.ops_per_s == r.ops_per_s);
    assert_true(isnan(back.selectivity));
    assert_string_equal(back.first_error,
                        "quote\" back\\slash\ttab\x01 \xc3\xa9 bad\xef\xbf\xbd");
    /* A buffer too small is an error, not a cut line. */
    assert_false(bench_json_format(&r, line, 100, &err));
    assert_string_equal(err.sqlstate, "54000");
}

static void test_bench_json_reader_refuses_junk(void **state) {
    const char *bad[] = {"", "{", "{\"run\":}", "{\"run\":\"x\",}", "{\"run\" \"x\"}",
                         "{\"ops\":01}", "{\"ops\":1.}", "{\"run\":\"\\q\"}", "[1]",
                         "{\"run\":\"x\"} extra", "{\"run\":\"\\ud800\"}", "{\"a\":{}}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bench_result r;
        rt_err err;
        rt_err_clear(&err);
        if (bench_json_parse(bad[i], &r, &err)) fail_msg("accepted: %s", bad[i]);
        assert_string_equal(err.sqlstate, "22P02");
    }
    /* Unknown keys (a newer file) and escapes are fine. */
    bench_result r;
    rt_err err;
    rt_err_clear(&err);
    assert_true(bench_json_parse(" {\"new\":true,\"run\":\"a\\u00e9\\ud83d\\ude00\",\"k\":5} ",
                                 &r, &err));
    assert_string_equal(r.run, "a\xc3\xa9\xf0\x9f\x98\x80");
    assert_int_equal(r.k, 5);
}

static char *test_svg(const bench_result *results, size_t count) {
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    rt_err err;
    rt_err_clear(&err);
    assert_true(bench_svg_write(fp, results, count, &err));
    fclose(fp);
    return buf;
}

static void test_bench_svg_is_well_formed(void **state) {
    bench_result rs[8];
    size_t n = 0;
    rs[n++] = test_result("ann", 0.91, 5000, NAN);
    rs[n++] = test_result("ann", 0.99, 2000, NAN);
    rs[n++] = test_result("ann", 0.999, 900, NAN);
    rs[n - 1].ef_search = 200;
    rs[n++] = test_result("hybrid", NAN, 100, 0.0001);
    rs[n++] = test_result("hybrid", NAN, 100, 0.01);
    rs[n++] = test_result("hybrid", NAN, 100, 1.0);
    rs[n - 1].p99_ms = 350, rs[n - 1].p50_ms = 120; /* wide: a log latency axis */
    rs[n++] = test_result("point", NAN, 90000, NAN);
    char *svg = test_svg(rs, n);
    assert_true(xml_well_formed(svg));
    assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_non_null(strstr(svg, "run &lt;A&gt; &amp; &quot;B&quot;")); /* the label, escaped */
    assert_null(strstr(svg, "nan"));
    assert_null(strstr(svg, "inf"));
    /* Two lines for the latency chart (p99 and dashed p50), one for recall. */
    int polylines = 0;
    for (const char *p = svg; (p = strstr(p, "<polyline")) != NULL; p++) polylines++;
    assert_int_equal(polylines, 3);
    free(svg);
    /* No data at all: still a valid document that says so. */
    svg = test_svg(NULL, 0);
    assert_true(xml_well_formed(svg));
    assert_non_null(strstr(svg, "no data"));
    free(svg);
    /* The checker itself refuses broken documents. */
    assert_false(xml_well_formed("<svg><g></svg></g>"));
    assert_false(xml_well_formed("<svg><text>a & b</text></svg>"));
    assert_false(xml_well_formed("<svg x=1></svg>"));
}

static void test_bench_table_prints_dashes_for_missing(void **state) {
    bench_result r = test_result("point", NAN, 1000, NAN);
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    bench_table_header(fp);
    bench_table_row(fp, &r);
    fclose(fp);
    assert_non_null(strstr(buf, "p99 ms"));
    assert_non_null(strstr(buf, "4.250"));
    assert_non_null(strstr(buf, "      -")); /* recall does not apply */
    assert_null(strstr(buf, "nan"));
    free(buf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bench_json_is_strict_and_round_trips),
        cmocka_unit_test(test_bench_json_reader_refuses_junk),
        cmocka_unit_test(test_bench_svg_is_well_formed),
        cmocka_unit_test(test_bench_table_prints_dashes_for_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
