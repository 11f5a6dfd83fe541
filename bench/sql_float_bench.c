/* sql_float_bench.c: float8/float4/int8 text conversion speed.
 *   float8 shortest  sql_float8_to_shortest over random finite doubles
 *   float8 %.17g     snprintf("%.17g"), the cost of a (non-shortest) libc conversion
 *   float8 %.15g     sql_float8_to_text with extra_float_digits = 0
 *   float4 shortest  sql_float4_to_shortest over random finite floats
 *   float8 input     sql_float8_from_text of the shortest texts (strtod underneath)
 *   int8 output      sql_int8_to_text over random magnitudes
 * Usage: sql_float_bench [--count N]. Run on a Release build; see RESULTS.md. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"
#include "sql/sql_float.h"
#include "sql/sql_int.h"

static uint64_t bench_rng_state = 0x2545f4914f6cdd1du;

static uint64_t bench_rng(void) {
    uint64_t x = bench_rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    bench_rng_state = x;
    return x;
}

static void bench_report(const char *what, uint64_t start_ns, uint32_t count, uint64_t sink) {
    double ns = (double)(rt_time_mono_ns() - start_ns) / count;
    printf("%-18s %8.1f ns/value  (sink %llu)\n", what, ns, (unsigned long long)(sink & 0xff));
}

int main(int argc, char **argv) {
    uint32_t count = 2000000;
    static const struct option options[] = {{"count", required_argument, NULL, 'n'}, {0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "n:", options, NULL)) != -1) {
        if (opt == 'n') count = (uint32_t)strtoul(optarg, NULL, 10);
    }
    double *d = rt_xmalloc(sizeof(double) * count);
    float *f = rt_xmalloc(sizeof(float) * count);
    int64_t *l = rt_xmalloc(sizeof(int64_t) * count);
    char(*texts)[SQL_FLOAT8_TEXT_BYTES_MAX] = rt_xmalloc((size_t)SQL_FLOAT8_TEXT_BYTES_MAX * count);
    for (uint32_t i = 0; i < count; i++) {
        uint64_t bits;
        do {
            bits = bench_rng();
            memcpy(&d[i], &bits, sizeof d[i]);
        } while (!isfinite(d[i]));
        uint32_t fbits;
        do {
            fbits = (uint32_t)bench_rng();
            memcpy(&f[i], &fbits, sizeof f[i]);
        } while (!isfinite(f[i]));
        l[i] = (int64_t)(bench_rng() >> (bench_rng() % 64));
    }
    char buf[64];
    uint64_t sink = 0, start = rt_time_mono_ns();
    for (uint32_t i = 0; i < count; i++) sink += sql_float8_to_shortest(d[i], texts[i]);
    bench_report("float8 shortest", start, count, sink);
    start = rt_time_mono_ns();
    for (uint32_t i = 0; i < count; i++) sink += (uint64_t)snprintf(buf, sizeof buf, "%.17g", d[i]);
    bench_report("float8 %.17g", start, count, sink);
    start = rt_time_mono_ns();
    for (uint32_t i = 0; i < count; i++) sink += sql_float8_to_text(d[i], 0, buf);
    bench_report("float8 %.15g", start, count, sink);
    start = rt_time_mono_ns();
    for (uint32_t i = 0; i < count; i++) sink += sql_float4_to_shortest(f[i], buf);
    bench_report("float4 shortest", start, count, sink);
    rt_err err;
    rt_err_clear(&err);
    start = rt_time_mono_ns();
    for (uint32_t i = 0; i < count; i++) {
        double v;
        if (!sql_float8_from_text(texts[i], (uint32_t)strlen(texts[i]), &v, &err)) return 1;
        sink += (uint64_t)(v > 0);
    }
    bench_report("float8 input", start, count, sink);
    start = rt_time_mono_ns();
    for (uint32_t i = 0; i < count; i++) sink += sql_int8_to_text(l[i], buf);
    bench_report("int8 output", start, count, sink);
    rt_free(d);
    rt_free(f);
    rt_free(l);
    rt_free(texts);
    return 0;
}
