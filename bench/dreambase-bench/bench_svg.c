/* bench_svg.c: the two charts of a report, written as SVG by hand.
 *   top:    recall@k (x) against queries per second (y) of the ann steps: one line per run,
 *           one point per ef_search, the chart ANN benchmarks are read by.
 *   bottom: p99 (solid) and p50 (dashed) latency against selectivity (log x) of the hybrid
 *           steps with the bucket filter: one pair of lines per run and ef_search.
 * Plain SVG 1.1 (no script, no external files) that any browser opens; every piece of text
 * that comes from the user (run labels) is escaped. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/dreambase-bench/bench.h"
#include "runtime/rt_mem.h"

#define BENCH_SVG_WIDTH 960
#define BENCH_SVG_PANEL_HEIGHT 440
#define BENCH_SVG_LEFT 80
#define BENCH_SVG_RIGHT 240 /* room for the legend */
#define BENCH_SVG_TOP 50
#define BENCH_SVG_BOTTOM 60
/* Lines one chart draws; more runs than this share colours. */
#define BENCH_SVG_SERIES_MAX 64

static const char *const BENCH_SVG_COLOURS[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                                "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};

typedef struct bench_svg_point {
    double x, y, y2; /* y2: the second line of a series (p50), NaN if none */
} bench_svg_point;

typedef struct bench_svg_series {
    char name[128];
    bench_svg_point *points;
    size_t count;
} bench_svg_series;

typedef struct bench_svg_axis {
    double lo, hi;
    bool log;
} bench_svg_axis;

static void bench_svg_text(FILE *out, const char *s) {
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default:
            /* Control bytes are not allowed in XML 1.0 text. */
            fputc((unsigned char)*s < 0x20 ? ' ' : *s, out);
        }
    }
}

static double bench_svg_map(const bench_svg_axis *a, double v, double from, double to) {
    double lo = a->log ? log10(a->lo) : a->lo, hi = a->log ? log10(a->hi) : a->hi;
    double x = a->log ? log10(v) : v;
    return from + (x - lo) / (hi - lo) * (to - from);
}

/* A "nice" tick step (1, 2 or 5 times a power of ten) giving about five ticks. */
static double bench_svg_step(double range) {
    double raw = range / 5, mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

static void bench_svg_axis_fit(bench_svg_axis *a, double lo, double hi) {
    if (a->log) {
        a->lo = pow(10, floor(log10(lo)));
        a->hi = pow(10, ceil(log10(hi)));
        if (a->hi <= a->lo) a->hi = a->lo * 10;
        return;
    }
    if (!(hi > lo)) hi = lo + 1;
    double step = bench_svg_step(hi - lo);
    a->lo = floor(lo / step) * step;
    a->hi = ceil(hi / step) * step;
}

static void bench_svg_ticks(FILE *out, const bench_svg_axis *x, const bench_svg_axis *y,
                            double top) {
    double x0 = BENCH_SVG_LEFT, x1 = BENCH_SVG_WIDTH - BENCH_SVG_RIGHT;
    double y0 = top + BENCH_SVG_PANEL_HEIGHT - BENCH_SVG_BOTTOM, y1 = top + BENCH_SVG_TOP;
    for (int axis = 0; axis < 2; axis++) {
        const bench_svg_axis *a = axis == 0 ? x : y;
        double step = a->log ? 0 : bench_svg_step(a->hi - a->lo);
        for (double v = a->lo; v <= a->hi * (1 + 1e-9); v = a->log ? v * 10 : v + step) {
            char label[32];
            snprintf(label, sizeof label, a->log ? "%g" : "%.4g", fabs(v) < 1e-12 ? 0 : v);
            if (axis == 0) {
                double px = bench_svg_map(a, v, x0, x1);
                fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                        "stroke=\"#ddd\"/>\n", px, y0, px, y1);
                fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                        px, y0 + 18, label);
            } else {
                double py = bench_svg_map(a, v, y0, y1);
                fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                        "stroke=\"#ddd\"/>\n", x0, py, x1, py);
                fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                        x0 - 6, py + 4, label);
            }
        }
    }
    fprintf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"none\" "
            "stroke=\"#333\"/>\n", BENCH_SVG_LEFT, y1,
            BENCH_SVG_WIDTH - BENCH_SVG_LEFT - BENCH_SVG_RIGHT,
            BENCH_SVG_PANEL_HEIGHT - BENCH_SVG_TOP - BENCH_SVG_BOTTOM);
}

static void bench_svg_line(FILE *out, const bench_svg_series *s, bool second,
                           const bench_svg_axis *x, const bench_svg_axis *y, double top,
                           const char *colour) {
    double x0 = BENCH_SVG_LEFT, x1 = BENCH_SVG_WIDTH - BENCH_SVG_RIGHT;
    double y0 = top + BENCH_SVG_PANEL_HEIGHT - BENCH_SVG_BOTTOM, y1 = top + BENCH_SVG_TOP;
    fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"",
            colour, second ? " stroke-dasharray=\"6 4\"" : "");
    for (size_t i = 0; i < s->count; i++) {
        double v = second ? s->points[i].y2 : s->points[i].y;
        fprintf(out, "%s%.1f,%.1f", i > 0 ? " " : "", bench_svg_map(x, s->points[i].x, x0, x1),
                bench_svg_map(y, v, y0, y1));
    }
    fprintf(out, "\"/>\n");
    for (size_t i = 0; i < s->count; i++) {
        double v = second ? s->points[i].y2 : s->points[i].y;
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>\n",
                bench_svg_map(x, s->points[i].x, x0, x1), bench_svg_map(y, v, y0, y1), colour);
    }
}

static int bench_svg_point_cmp(const void *a, const void *b) {
    double x = ((const bench_svg_point *)a)->x, y = ((const bench_svg_point *)b)->x;
    return x < y ? -1 : x > y;
}

/* Draws one panel: frame, ticks, titles, the series and a legend. */
static void bench_svg_panel(FILE *out, double top, const char *title, const char *xlabel,
                            const char *ylabel, bench_svg_series *series, size_t count,
                            bool xlog, bool ylog_if_wide) {
    fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"16\" font-weight=\"bold\">",
            BENCH_SVG_LEFT, top + 28);
    bench_svg_text(out, title);
    fprintf(out, "</text>\n");
    size_t points = 0;
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = 0;
    for (size_t s = 0; s < count; s++) {
        qsort(series[s].points, series[s].count, sizeof(bench_svg_point), bench_svg_point_cmp);
        for (size_t i = 0; i < series[s].count; i++) {
            bench_svg_point *p = &series[s].points[i];
            xmin = fmin(xmin, p->x);
            xmax = fmax(xmax, p->x);
            ymax = fmax(ymax, p->y);
            ymin = fmin(ymin, p->y);
            if (isfinite(p->y2)) ymax = fmax(ymax, p->y2), ymin = fmin(ymin, p->y2);
            points++;
        }
    }
    if (points == 0) {
        fprintf(out, "<text x=\"%d\" y=\"%.1f\">no data: run the matching workload</text>\n",
                BENCH_SVG_LEFT, top + BENCH_SVG_PANEL_HEIGHT / 2.0);
        return;
    }
    /* Latencies from 0.1 ms to 100 ms crush the small ones against a linear axis. */
    bench_svg_axis x = {.log = xlog}, y = {.log = ylog_if_wide && ymin > 0 && ymax / ymin > 50};
    bench_svg_axis_fit(&x, xlog ? xmin : fmin(xmin, 0.9 * xmax), xmax);
    bench_svg_axis_fit(&y, y.log ? ymin : 0, ymax > 0 ? ymax * 1.05 : 1);
    bench_svg_ticks(out, &x, &y, top);
    double bottom = top + BENCH_SVG_PANEL_HEIGHT - BENCH_SVG_BOTTOM;
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
            (BENCH_SVG_LEFT + BENCH_SVG_WIDTH - BENCH_SVG_RIGHT) / 2.0, bottom + 40, xlabel);
    fprintf(out, "<text transform=\"translate(22 %.1f) rotate(-90)\" text-anchor=\"middle\">"
            "%s</text>\n", (top + BENCH_SVG_TOP + bottom) / 2, ylabel);
    for (size_t s = 0; s < count; s++) {
        const char *colour = BENCH_SVG_COLOURS[s % 8];
        bench_svg_line(out, &series[s], false, &x, &y, top, colour);
        if (series[s].count > 0 && isfinite(series[s].points[0].y2)) {
            bench_svg_line(out, &series[s], true, &x, &y, top, colour);
        }
        double ly = top + BENCH_SVG_TOP + 14 + 20.0 * (double)s;
        double lx = BENCH_SVG_WIDTH - BENCH_SVG_RIGHT + 14;
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"3\"/>\n<text x=\"%.1f\" y=\"%.1f\">", lx, ly - 4, lx + 20,
                ly - 4, colour, lx + 26, ly);
        bench_svg_text(out, series[s].name);
        fprintf(out, "</text>\n");
    }
}

/* Adds a point to the series called `name`, creating it if needed. */
static void bench_svg_add(bench_svg_series *series, size_t *count, const char *name,
                          bench_svg_point point) {
    size_t s = 0;
    while (s < *count && strcmp(series[s].name, name) != 0) s++;
    if (s == *count) {
        if (*count == BENCH_SVG_SERIES_MAX) return;
        memset(&series[s], 0, sizeof series[s]);
        snprintf(series[s].name, sizeof series[s].name, "%s", name);
        (*count)++;
    }
    series[s].points = rt_xrealloc(series[s].points,
                                   (series[s].count + 1) * sizeof(bench_svg_point));
    series[s].points[series[s].count++] = point;
}

static void bench_svg_free(bench_svg_series *series, size_t count) {
    for (size_t s = 0; s < count; s++) rt_free(series[s].points);
}

bool bench_svg_write(FILE *out, const bench_result *results, size_t count, rt_err *err) {
    bench_svg_series recall[BENCH_SVG_SERIES_MAX], latency[BENCH_SVG_SERIES_MAX];
    size_t recall_count = 0, latency_count = 0;
    for (size_t i = 0; i < count; i++) {
        const bench_result *r = &results[i];
        char name[128];
        if (strcmp(r->workload, "ann") == 0 && isfinite(r->recall) && isfinite(r->ops_per_s)) {
            snprintf(name, sizeof name, "%s k=%u", r->run, r->k);
            bench_svg_add(recall, &recall_count, name,
                          (bench_svg_point){r->recall, r->ops_per_s, NAN});
        }
        if (strcmp(r->workload, "hybrid") == 0 && strcmp(r->filter, "bucket") == 0 &&
            isfinite(r->selectivity) && r->selectivity > 0 && isfinite(r->p99_ms)) {
            if (r->ef_search != 0) {
                snprintf(name, sizeof name, "%s ef=%u", r->run, r->ef_search);
            } else {
                snprintf(name, sizeof name, "%s", r->run);
            }
            bench_svg_add(latency, &latency_count, name,
                          (bench_svg_point){r->selectivity, r->p99_ms, r->p50_ms});
        }
    }
    int height = 2 * BENCH_SVG_PANEL_HEIGHT;
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            BENCH_SVG_WIDTH, height, BENCH_SVG_WIDTH, height);
    bench_svg_panel(out, 0, "Recall against throughput (ann)", "recall@k", "queries per second",
                    recall, recall_count, false, false);
    bench_svg_panel(out, BENCH_SVG_PANEL_HEIGHT,
                    "Latency against filter selectivity (hybrid; solid p99, dashed p50)",
                    "selectivity (share of rows passing the filter)", "latency (ms)", latency,
                    latency_count, true, true);
    fprintf(out, "</svg>\n");
    bench_svg_free(recall, recall_count);
    bench_svg_free(latency, latency_count);
    if (ferror(out)) return rt_err_from_errno(err, EIO, "could not write SVG chart");
    return true;
}
