/* main.c: dreambase-bench's entry point. Usage: dreambase-bench --help, and README.md.
 * Exit status: 0 when every step ran (a step's errors are in its report, not the status),
 * 1 when the run stopped (connection, setup, file or server failure), 2 for bad options. */
#include <stdio.h>

#include "bench/dreambase-bench/bench.h"

static void bench_main_report(const rt_err *err) {
    fprintf(stderr, "dreambase-bench: error: %s (SQLSTATE %s)\n", err->message, err->sqlstate);
    if (err->detail[0] != '\0') fprintf(stderr, "DETAIL: %s\n", err->detail);
    if (err->hint[0] != '\0') fprintf(stderr, "HINT: %s\n", err->hint);
}

int main(int argc, char **argv) {
    bench_opts opts;
    rt_err err;
    rt_err_clear(&err);
    bench_opts_defaults(&opts);
    if (!bench_opts_parse(&opts, argc, argv, &err)) {
        bench_main_report(&err);
        fprintf(stderr, "Try \"dreambase-bench --help\".\n");
        return 2;
    }
    if (opts.help) {
        bench_opts_usage(stdout);
        return 0;
    }
    bool ok = opts.chart_from != NULL ? bench_chart_from_files(opts.chart_from, opts.svg_out, &err)
                                      : bench_run(&opts, &err);
    if (!ok) {
        bench_main_report(&err);
        return 1;
    }
    return 0;
}
