/* sql_jsonb_bench.c: jsonb speed on a typical API document (~1 KB, 3 levels, 40 keys).
 *   parse       sql_jsonb_from_text (JSON text to binary)
 *   validate    sql_json_validate (the json type's input check)
 *   output      sql_jsonb_to_text
 *   field ->    sql_jsonb_object_field on a 40-key object (binary search)
 *   path #>     sql_jsonb_extract_path, three levels
 *   contains    sql_jsonb_contains with a two-pair pattern
 *   set         sql_jsonb_set of one nested field
 * Usage: sql_jsonb_bench [--count N]. Run on a Release build. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"
#include "sql/sql_jsonb.h"

static char *bench_document(void) {
    static char doc[4096];
    char *p = doc;
    p += sprintf(p, "{\"id\": 12345, \"user\": {\"name\": \"Ada Lovelace\", \"email\": "
                    "\"ada@example.com\", \"tags\": [\"admin\", \"math\", \"poet\"]}, ");
    for (int i = 0; i < 36; i++) {
        p += sprintf(p, "\"field_%02d\": %s, ", i,
                     i % 3 == 0 ? "\"some text value\"" : i % 3 == 1 ? "3.14159" : "true");
    }
    p += sprintf(p, "\"items\": [{\"sku\": \"A-1\", \"qty\": 2}, {\"sku\": \"B-7\", \"qty\": 1}]}");
    return doc;
}

static void bench_report(const char *what, uint64_t start_ns, uint32_t count, uint32_t bytes) {
    double ns = (double)(rt_time_mono_ns() - start_ns) / count;
    if (bytes > 0) {
        printf("%-10s %9.1f ns/op  %7.1f MB/s\n", what, ns, bytes / ns * 1e9 / 1e6);
    } else {
        printf("%-10s %9.1f ns/op\n", what, ns);
    }
}

int main(int argc, char **argv) {
    uint32_t count = 200000;
    static const struct option options[] = {{"count", required_argument, NULL, 'n'}, {0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "n:", options, NULL)) != -1) {
        if (opt == 'n') count = (uint32_t)strtoul(optarg, NULL, 10);
    }
    const char *doc = bench_document();
    uint32_t len = (uint32_t)strlen(doc);
    rt_arena *arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    rt_err err;
    rt_err_clear(&err);
    sql_bytes jb, out;
    uint64_t start = rt_time_mono_ns();
    for (uint32_t i = 0; i < count; i++) {
        if (!sql_jsonb_from_text(arena, doc, len, &jb, &err)) return 1;
        if (i % 1000 == 999) rt_arena_reset(arena);
    }
    bench_report("parse", start, count, len);
    start = rt_time_mono_ns();
    for (uint32_t i = 0; i < count; i++) {
        if (!sql_json_validate(doc, len, &err)) return 1;
    }
    bench_report("validate", start, count, len);
    rt_arena_reset(arena);
    if (!sql_jsonb_from_text(arena, doc, len, &jb, &err)) return 1;
    printf("document: %u bytes of text, %u bytes of jsonb\n", len, jb.len);
    start = rt_time_mono_ns();
    for (uint32_t i = 0; i < count; i++) {
        if (!sql_jsonb_to_text(arena, jb, &out, &err)) return 1;
        if (i % 1000 == 999) {
            rt_arena_reset(arena);
            if (!sql_jsonb_from_text(arena, doc, len, &jb, &err)) return 1;
        }
    }
    bench_report("output", start, count, len);
    start = rt_time_mono_ns();
    uint64_t found = 0;
    for (uint32_t i = 0; i < count * 10; i++) {
        if (!sql_jsonb_object_field(arena, jb, "field_17", 8, true, &out, &err)) return 1;
        found += out.len;
    }
    bench_report("field ->", start, count * 10, 0);
    sql_bytes path[] = {{(const uint8_t *)"user", 4}, {(const uint8_t *)"tags", 4},
                        {(const uint8_t *)"1", 1}};
    start = rt_time_mono_ns();
    for (uint32_t i = 0; i < count * 10; i++) {
        if (!sql_jsonb_extract_path(arena, jb, path, 3, true, &out, &err)) return 1;
        found += out.len;
    }
    bench_report("path #>", start, count * 10, 0);
    const char *pattern_text =
        "{\"user\": {\"tags\": [\"poet\"]}, \"field_03\": \"some text value\"}";
    sql_bytes pattern;
    if (!sql_jsonb_from_text(arena, pattern_text, (uint32_t)strlen(pattern_text), &pattern,
                             &err)) {
        return 1;
    }
    start = rt_time_mono_ns();
    for (uint32_t i = 0; i < count * 10; i++) found += sql_jsonb_contains(jb, pattern);
    bench_report("contains", start, count * 10, 0);
    sql_bytes value;
    if (!sql_jsonb_from_text(arena, "\"x\"", 3, &value, &err)) return 1;
    start = rt_time_mono_ns();
    for (uint32_t i = 0; i < count; i++) {
        if (!sql_jsonb_set(arena, jb, path, 2, value, true, &out, &err)) return 1;
        if (i % 1000 == 999) {
            rt_arena_reset(arena);
            if (!sql_jsonb_from_text(arena, doc, len, &jb, &err) ||
                !sql_jsonb_from_text(arena, "\"x\"", 3, &value, &err)) {
                return 1;
            }
        }
    }
    bench_report("set", start, count, 0);
    printf("(found %llu)\n", (unsigned long long)found);
    rt_arena_destroy(arena);
    return 0;
}
