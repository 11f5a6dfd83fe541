/* bench_opts.c: command-line options of dreambase-bench.
 * Every value is parsed strictly (a number must be all digits, a list entry must be valid)
 * and every combination is checked here, before a connection is opened, so a typo fails in
 * a millisecond instead of after a ten-minute load. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/dreambase-bench/bench.h"

static const double BENCH_DEFAULT_SELECTIVITIES[] = {0.0001, 0.001, 0.01, 0.1, 0.5, 1.0};

void bench_opts_defaults(bench_opts *o) {
    memset(o, 0, sizeof *o);
    o->dsn = "";
    o->dialect = BENCH_DIALECT_DREAMBASE;
    o->metric = BENCH_METRIC_COSINE;
    o->filters = BENCH_FILTER_BUCKET | BENCH_FILTER_USER;
    o->table = "documents";
    o->rows = 10000;
    o->dims = 128;
    o->k = 10;
    o->concurrency = 8;
    o->pipeline = 1;
    o->warmup_s = 1;
    o->timeout_s = 60;
    o->selectivity_count = sizeof BENCH_DEFAULT_SELECTIVITIES / sizeof(double);
    memcpy(o->selectivity, BENCH_DEFAULT_SELECTIVITIES, sizeof BENCH_DEFAULT_SELECTIVITIES);
    o->read_ratio = 0.9;
    o->seed = 42;
    o->users = 10000;
    o->zipf_s = 1.0;
    o->clusters = 100;
    o->spread = 0.6;
    o->recall_sample = 100;
    o->query_pool = 1000;
    o->batch = 1000;
    o->load_method = BENCH_LOAD_COPY;
    o->vector_format = BENCH_VECTOR_TEXT;
    o->scalar_indexes = true;
    o->analyze = true;
}

const char *bench_dialect_name(bench_dialect dialect) {
    switch (dialect) {
    case BENCH_DIALECT_DREAMBASE: return "dreambase";
    case BENCH_DIALECT_PGVECTOR: return "pgvector";
    case BENCH_DIALECT_EXACT: return "exact";
    }
    RT_UNREACHABLE();
}

const char *bench_metric_name(bench_metric metric) {
    switch (metric) {
    case BENCH_METRIC_COSINE: return "cosine";
    case BENCH_METRIC_L2: return "l2";
    case BENCH_METRIC_IP: return "ip";
    }
    RT_UNREACHABLE();
}

void bench_opts_usage(FILE *out) {
    fputs(
        "usage: dreambase-bench --workload LIST [options]\n"
        "       dreambase-bench --chart-from A.jsonl[,B.jsonl...] --svg-out FILE\n"
        "Workloads (comma-separated, run in this order): load, ann, hybrid, point, update,\n"
        "mixed. `load` DROPS and recreates --table. Every step runs --duration seconds or\n"
        "--count ops after --warmup seconds.\n"
        "  --dsn S                 libpq connection string (PG* variables fill in the rest)\n"
        "  --dialect D             dreambase (NEAR, automatic index) | pgvector (<=>, hnsw)\n"
        "                          | exact (pgvector's operators, no vector index: exact scans)\n"
        "  --metric M              cosine (default) | l2 | ip\n"
        "  --table NAME            default documents\n"
        "  --label TEXT            names this run in JSON and charts (default: the dialect)\n"
        "  --rows N --dims N       data size (default 10000 x 128; --dims 0: no vector column)\n"
        "  --k N                   LIMIT of top-k queries (default 10)\n"
        "  --concurrency N         connections (default 8); --threads N engine threads\n"
        "  --pipeline N            queries in flight per connection (default 1)\n"
        "  --duration S | --count N   per measured step (default 10 s)\n"
        "  --warmup S              unmeasured ops before each step (default 1 s)\n"
        "  --timeout S             cancel a query older than this (default 60 s)\n"
        "  --ef-search LIST        one step per value (default: the server's)\n"
        "  --selectivity LIST      hybrid sweep (default 0.0001,0.001,0.01,0.1,0.5,1)\n"
        "  --filter LIST           hybrid filters: bucket, user (default both)\n"
        "  --read-ratio R          mixed: share of reads (default 0.9)\n"
        "  --seed N --users N --zipf S --clusters N --spread X   data generator\n"
        "  --recall-sample N       queries with exact answers (default 100)\n"
        "  --query-pool N          distinct query vectors (default 1000)\n"
        "  --batch N               rows per COPY chunk or INSERT (default 1000)\n"
        "  --load-method M         copy (default) | insert\n"
        "  --vector-format F       text (default) | binary\n"
        "  --hnsw-m N --ef-construction N   pgvector index options\n"
        "  --no-scalar-indexes     load creates no B-tree indexes on bucket, user_id\n"
        "  --no-analyze            load does not end with ANALYZE (no planner statistics)\n"
        "  --dataset FILE          base vectors (.fvecs .bvecs .u8 .npy)\n"
        "  --queries FILE          query vectors; --groundtruth FILE (.ivecs)\n"
        "  --json-out FILE         one JSON object per measured step (appended)\n"
        "  --svg-out FILE          recall/QPS and latency/selectivity charts\n"
        "  --server-pid PID        measure a local server's CPU and memory from /proc\n",
        out);
}

/* ---- values ------------------------------------------------------------------------------ */

static bool bench_opt_u64(const char *name, const char *text, uint64_t min, uint64_t max,
                          uint64_t *out, rt_err *err) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || v < min || v > max) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "invalid value for %s: \"%s\" (an integer from %llu to %llu)", name,
                          text, (unsigned long long)min, (unsigned long long)max);
    }
    *out = v;
    return true;
}

static bool bench_opt_u32(const char *name, const char *text, uint32_t min, uint32_t max,
                          uint32_t *out, rt_err *err) {
    uint64_t v;
    if (!bench_opt_u64(name, text, min, max, &v, err)) return false;
    *out = (uint32_t)v;
    return true;
}

static bool bench_opt_double(const char *name, const char *text, double min, double max,
                             double *out, rt_err *err) {
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno != 0 || !(v >= min && v <= max)) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "invalid value for %s: \"%s\" (a number from %g to %g)", name, text,
                          min, max);
    }
    *out = v;
    return true;
}

/* Splits a comma list; calls each(entry) for every entry. */
static bool bench_opt_list(const char *text, const char *name, uint32_t *count,
                           bool (*each)(const char *entry, uint32_t i, void *arg, rt_err *err),
                           void *arg, rt_err *err) {
    *count = 0;
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        char entry[64];
        if (len == 0 || len >= sizeof entry || *count == BENCH_LIST_MAX) {
            return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "invalid list for %s: \"%s\" (at most %d non-empty entries)",
                              name, text, BENCH_LIST_MAX);
        }
        memcpy(entry, p, len);
        entry[len] = '\0';
        if (!each(entry, *count, arg, err)) return false;
        (*count)++;
        if (comma == NULL) return true;
        p = comma + 1;
    }
}

static bool bench_opt_selectivity(const char *entry, uint32_t i, void *arg, rt_err *err) {
    double *values = arg;
    if (!bench_opt_double("--selectivity", entry, 0, 1, &values[i], err)) return false;
    double buckets = values[i] * BENCH_BUCKETS;
    /* The filter is `bucket < s * 10000`: only multiples of 0.0001 are exact. */
    if (values[i] <= 0 || fabs(buckets - round(buckets)) > 1e-6) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "invalid selectivity \"%s\": must be a multiple of 1/%d in (0, 1]",
                          entry, BENCH_BUCKETS);
    }
    return true;
}

bool bench_opts_parse_selectivities(const char *text, double *values, uint32_t *count,
                                    rt_err *err) {
    return bench_opt_list(text, "--selectivity", count, bench_opt_selectivity, values, err);
}

static bool bench_opt_uint(const char *entry, uint32_t i, void *arg, rt_err *err) {
    return bench_opt_u32("--ef-search", entry, 1, 100000, (uint32_t *)arg + i, err);
}

bool bench_opts_parse_ef_search(const char *text, uint32_t *values, uint32_t *count, rt_err *err) {
    return bench_opt_list(text, "--ef-search", count, bench_opt_uint, values, err);
}

typedef struct bench_name_bit {
    const char *name;
    uint32_t bit;
} bench_name_bit;

static const bench_name_bit BENCH_WORKLOAD_NAMES[] = {
    {"load", BENCH_WL_LOAD},     {"ann", BENCH_WL_ANN},       {"hybrid", BENCH_WL_HYBRID},
    {"point", BENCH_WL_POINT},   {"update", BENCH_WL_UPDATE}, {"mixed", BENCH_WL_MIXED},
    {NULL, 0}};
static const bench_name_bit BENCH_FILTER_NAMES[] = {
    {"bucket", BENCH_FILTER_BUCKET}, {"user", BENCH_FILTER_USER}, {NULL, 0}};

typedef struct bench_bits_arg {
    const bench_name_bit *names;
    const char *option;
    uint32_t bits;
} bench_bits_arg;

static bool bench_opt_bit(const char *entry, uint32_t i, void *arg, rt_err *err) {
    (void)i;
    bench_bits_arg *a = arg;
    for (const bench_name_bit *n = a->names; n->name != NULL; n++) {
        if (strcmp(n->name, entry) == 0) {
            a->bits |= n->bit;
            return true;
        }
    }
    return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "unknown %s \"%s\"", a->option,
                      entry);
}

static bool bench_opt_bits(const char *text, const bench_name_bit *names, const char *option,
                           uint32_t *bits, rt_err *err) {
    bench_bits_arg a = {.names = names, .option = option, .bits = 0};
    uint32_t count;
    if (!bench_opt_list(text, option, &count, bench_opt_bit, &a, err)) return false;
    *bits = a.bits;
    return true;
}

/* One of `choices` (NULL-terminated); its index into *out. */
static bool bench_opt_choice(const char *name, const char *text, const char *const *choices,
                             int *out, rt_err *err) {
    for (int i = 0; choices[i] != NULL; i++) {
        if (strcmp(choices[i], text) == 0) {
            *out = i;
            return true;
        }
    }
    return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "invalid value for %s: \"%s\"",
                      name, text);
}

static bool bench_opt_identifier(const char *text, rt_err *err) {
    size_t len = strlen(text);
    bool ok = len > 0 && len <= BENCH_TABLE_NAME_BYTES_MAX &&
              ((text[0] >= 'a' && text[0] <= 'z') || text[0] == '_');
    for (size_t i = 1; ok && i < len; i++) {
        char c = text[i];
        ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    }
    if (ok) return true;
    return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                      "invalid --table \"%s\": use a lower-case identifier of at most %d bytes",
                      text, BENCH_TABLE_NAME_BYTES_MAX);
}

/* ---- argv -------------------------------------------------------------------------------- */

enum {
    BENCH_O_DSN = 256, BENCH_O_DIALECT, BENCH_O_METRIC, BENCH_O_WORKLOAD, BENCH_O_FILTER,
    BENCH_O_TABLE, BENCH_O_LABEL, BENCH_O_ROWS, BENCH_O_DIMS, BENCH_O_K, BENCH_O_CONCURRENCY,
    BENCH_O_THREADS, BENCH_O_PIPELINE, BENCH_O_DURATION, BENCH_O_COUNT, BENCH_O_WARMUP,
    BENCH_O_TIMEOUT, BENCH_O_EF_SEARCH, BENCH_O_SELECTIVITY, BENCH_O_READ_RATIO, BENCH_O_SEED,
    BENCH_O_USERS, BENCH_O_ZIPF, BENCH_O_CLUSTERS, BENCH_O_SPREAD, BENCH_O_RECALL_SAMPLE,
    BENCH_O_QUERY_POOL, BENCH_O_BATCH, BENCH_O_LOAD_METHOD, BENCH_O_VECTOR_FORMAT,
    BENCH_O_HNSW_M, BENCH_O_EF_CONSTRUCTION, BENCH_O_NO_SCALAR_INDEXES, BENCH_O_NO_ANALYZE,
    BENCH_O_DATASET,
    BENCH_O_QUERIES, BENCH_O_GROUNDTRUTH, BENCH_O_JSON_OUT, BENCH_O_SVG_OUT,
    BENCH_O_CHART_FROM, BENCH_O_SERVER_PID, BENCH_O_HELP
};

static const struct option BENCH_OPTIONS[] = {
    {"dsn", required_argument, NULL, BENCH_O_DSN},
    {"dialect", required_argument, NULL, BENCH_O_DIALECT},
    {"metric", required_argument, NULL, BENCH_O_METRIC},
    {"workload", required_argument, NULL, BENCH_O_WORKLOAD},
    {"filter", required_argument, NULL, BENCH_O_FILTER},
    {"table", required_argument, NULL, BENCH_O_TABLE},
    {"label", required_argument, NULL, BENCH_O_LABEL},
    {"rows", required_argument, NULL, BENCH_O_ROWS},
    {"dims", required_argument, NULL, BENCH_O_DIMS},
    {"k", required_argument, NULL, BENCH_O_K},
    {"concurrency", required_argument, NULL, BENCH_O_CONCURRENCY},
    {"threads", required_argument, NULL, BENCH_O_THREADS},
    {"pipeline", required_argument, NULL, BENCH_O_PIPELINE},
    {"duration", required_argument, NULL, BENCH_O_DURATION},
    {"count", required_argument, NULL, BENCH_O_COUNT},
    {"warmup", required_argument, NULL, BENCH_O_WARMUP},
    {"timeout", required_argument, NULL, BENCH_O_TIMEOUT},
    {"ef-search", required_argument, NULL, BENCH_O_EF_SEARCH},
    {"selectivity", required_argument, NULL, BENCH_O_SELECTIVITY},
    {"read-ratio", required_argument, NULL, BENCH_O_READ_RATIO},
    {"seed", required_argument, NULL, BENCH_O_SEED},
    {"users", required_argument, NULL, BENCH_O_USERS},
    {"zipf", required_argument, NULL, BENCH_O_ZIPF},
    {"clusters", required_argument, NULL, BENCH_O_CLUSTERS},
    {"spread", required_argument, NULL, BENCH_O_SPREAD},
    {"recall-sample", required_argument, NULL, BENCH_O_RECALL_SAMPLE},
    {"query-pool", required_argument, NULL, BENCH_O_QUERY_POOL},
    {"batch", required_argument, NULL, BENCH_O_BATCH},
    {"load-method", required_argument, NULL, BENCH_O_LOAD_METHOD},
    {"vector-format", required_argument, NULL, BENCH_O_VECTOR_FORMAT},
    {"hnsw-m", required_argument, NULL, BENCH_O_HNSW_M},
    {"ef-construction", required_argument, NULL, BENCH_O_EF_CONSTRUCTION},
    {"no-scalar-indexes", no_argument, NULL, BENCH_O_NO_SCALAR_INDEXES},
    {"no-analyze", no_argument, NULL, BENCH_O_NO_ANALYZE},
    {"dataset", required_argument, NULL, BENCH_O_DATASET},
    {"queries", required_argument, NULL, BENCH_O_QUERIES},
    {"groundtruth", required_argument, NULL, BENCH_O_GROUNDTRUTH},
    {"json-out", required_argument, NULL, BENCH_O_JSON_OUT},
    {"svg-out", required_argument, NULL, BENCH_O_SVG_OUT},
    {"chart-from", required_argument, NULL, BENCH_O_CHART_FROM},
    {"server-pid", required_argument, NULL, BENCH_O_SERVER_PID},
    {"help", no_argument, NULL, BENCH_O_HELP},
    {NULL, 0, NULL, 0}};

static const char *const BENCH_DIALECTS[] = {"dreambase", "pgvector", "exact", NULL};
static const char *const BENCH_METRICS[] = {"cosine", "l2", "ip", NULL};
static const char *const BENCH_LOAD_METHODS[] = {"copy", "insert", NULL};
static const char *const BENCH_VECTOR_FORMATS[] = {"text", "binary", NULL};

/* Options about what runs and how hard. */
static bool bench_opts_apply_run(bench_opts *o, int id, const char *arg, bool *known,
                                 rt_err *err) {
    int choice = 0;
    bool ok = true;
    *known = true;
    switch (id) {
    case BENCH_O_DSN: o->dsn = arg; break;
    case BENCH_O_DIALECT:
        ok = bench_opt_choice("--dialect", arg, BENCH_DIALECTS, &choice, err);
        o->dialect = (bench_dialect)choice;
        break;
    case BENCH_O_METRIC:
        ok = bench_opt_choice("--metric", arg, BENCH_METRICS, &choice, err);
        o->metric = (bench_metric)choice;
        break;
    case BENCH_O_WORKLOAD:
        ok = bench_opt_bits(arg, BENCH_WORKLOAD_NAMES, "workload", &o->workloads, err);
        break;
    case BENCH_O_FILTER:
        ok = bench_opt_bits(arg, BENCH_FILTER_NAMES, "filter", &o->filters, err);
        break;
    case BENCH_O_TABLE: o->table = arg; ok = bench_opt_identifier(arg, err); break;
    case BENCH_O_LABEL: o->label = arg; break;
    case BENCH_O_ROWS:
        ok = bench_opt_u64("--rows", arg, 1, BENCH_ROWS_MAX, &o->rows, err);
        o->rows_given = true;
        break;
    case BENCH_O_DIMS:
        ok = bench_opt_u32("--dims", arg, 0, BENCH_DIMS_MAX, &o->dims, err);
        o->dims_given = true;
        break;
    case BENCH_O_K: ok = bench_opt_u32("--k", arg, 1, BENCH_K_MAX, &o->k, err); break;
    case BENCH_O_CONCURRENCY:
        ok = bench_opt_u32("--concurrency", arg, 1, BENCH_CONNECTIONS_MAX, &o->concurrency, err);
        break;
    case BENCH_O_THREADS:
        ok = bench_opt_u32("--threads", arg, 1, BENCH_THREADS_MAX, &o->threads, err);
        break;
    case BENCH_O_PIPELINE:
        ok = bench_opt_u32("--pipeline", arg, 1, BENCH_PIPELINE_MAX, &o->pipeline, err);
        break;
    case BENCH_O_DURATION:
        ok = bench_opt_double("--duration", arg, 0.001, 86400, &o->duration_s, err);
        break;
    case BENCH_O_COUNT:
        ok = bench_opt_u64("--count", arg, 1, UINT64_MAX / 2, &o->count, err);
        break;
    case BENCH_O_WARMUP: ok = bench_opt_double("--warmup", arg, 0, 3600, &o->warmup_s, err); break;
    case BENCH_O_TIMEOUT:
        ok = bench_opt_double("--timeout", arg, 0.01, 86400, &o->timeout_s, err);
        break;
    case BENCH_O_EF_SEARCH:
        ok = bench_opts_parse_ef_search(arg, o->ef_search, &o->ef_search_count, err);
        break;
    case BENCH_O_SELECTIVITY:
        ok = bench_opts_parse_selectivities(arg, o->selectivity, &o->selectivity_count, err);
        break;
    case BENCH_O_READ_RATIO:
        ok = bench_opt_double("--read-ratio", arg, 0, 1, &o->read_ratio, err);
        break;
    default: *known = false;
    }
    return ok;
}

/* Options about the data, the files and the reports. */
static bool bench_opts_apply_data(bench_opts *o, int id, const char *arg, rt_err *err) {
    int choice = 0;
    uint32_t pid = 0;
    bool ok = true;
    switch (id) {
    case BENCH_O_SEED: ok = bench_opt_u64("--seed", arg, 0, UINT64_MAX, &o->seed, err); break;
    case BENCH_O_USERS:
        ok = bench_opt_u32("--users", arg, 1, BENCH_USERS_MAX, &o->users, err);
        break;
    case BENCH_O_ZIPF: ok = bench_opt_double("--zipf", arg, 0, 10, &o->zipf_s, err); break;
    case BENCH_O_CLUSTERS:
        ok = bench_opt_u32("--clusters", arg, 1, BENCH_CLUSTERS_MAX, &o->clusters, err);
        break;
    case BENCH_O_SPREAD: ok = bench_opt_double("--spread", arg, 0, 100, &o->spread, err); break;
    case BENCH_O_RECALL_SAMPLE:
        ok = bench_opt_u32("--recall-sample", arg, 0, BENCH_QUERY_POOL_MAX, &o->recall_sample, err);
        break;
    case BENCH_O_QUERY_POOL:
        ok = bench_opt_u32("--query-pool", arg, 1, BENCH_QUERY_POOL_MAX, &o->query_pool, err);
        break;
    case BENCH_O_BATCH: ok = bench_opt_u32("--batch", arg, 1, 1000000, &o->batch, err); break;
    case BENCH_O_LOAD_METHOD:
        ok = bench_opt_choice("--load-method", arg, BENCH_LOAD_METHODS, &choice, err);
        o->load_method = (bench_load_method)choice;
        break;
    case BENCH_O_VECTOR_FORMAT:
        ok = bench_opt_choice("--vector-format", arg, BENCH_VECTOR_FORMATS, &choice, err);
        o->vector_format = (bench_vector_format)choice;
        break;
    case BENCH_O_HNSW_M: ok = bench_opt_u32("--hnsw-m", arg, 2, 100, &o->hnsw_m, err); break;
    case BENCH_O_EF_CONSTRUCTION:
        ok = bench_opt_u32("--ef-construction", arg, 4, 1000, &o->ef_construction, err);
        break;
    case BENCH_O_NO_SCALAR_INDEXES: o->scalar_indexes = false; break;
    case BENCH_O_NO_ANALYZE: o->analyze = false; break;
    case BENCH_O_DATASET: o->dataset = arg; break;
    case BENCH_O_QUERIES: o->queries = arg; break;
    case BENCH_O_GROUNDTRUTH: o->groundtruth = arg; break;
    case BENCH_O_JSON_OUT: o->json_out = arg; break;
    case BENCH_O_SVG_OUT: o->svg_out = arg; break;
    case BENCH_O_CHART_FROM: o->chart_from = arg; break;
    case BENCH_O_SERVER_PID:
        ok = bench_opt_u32("--server-pid", arg, 1, 1u << 30, &pid, err);
        o->server_pid = (int)pid;
        break;
    case BENCH_O_HELP: o->help = true; break;
    default: RT_UNREACHABLE();
    }
    return ok;
}

/* Combinations that cannot work, refused before anything runs. */
static bool bench_opts_check(bench_opts *o, rt_err *err) {
    const char *bad = NULL;
    uint32_t vector_workloads = BENCH_WL_ANN | BENCH_WL_HYBRID | BENCH_WL_UPDATE;
    if (o->chart_from != NULL) {
        if (o->svg_out == NULL) bad = "--chart-from needs --svg-out";
    } else if (o->workloads == 0) {
        bad = "--workload is required (load, ann, hybrid, point, update, mixed)";
    } else if (o->duration_s > 0 && o->count > 0) {
        bad = "give --duration or --count, not both";
    } else if (o->dims_given && o->dims == 0 && (o->workloads & vector_workloads)) {
        bad = "the ann, hybrid and update workloads need a vector column (--dims > 0)";
    } else if (o->dataset != NULL && o->dims_given && o->dims == 0) {
        bad = "--dataset needs a vector column (--dims > 0)";
    } else if (o->queries != NULL && o->dataset == NULL) {
        bad = "--queries needs --dataset";
    } else if (o->groundtruth != NULL && o->queries == NULL) {
        bad = "--groundtruth needs --queries (the ground truth is per query)";
    } else if (o->recall_sample > o->query_pool) {
        bad = "--recall-sample cannot exceed --query-pool";
    } else if ((uint64_t)o->recall_sample * o->k > BENCH_EXACT_ENTRIES_MAX) {
        bad = "--recall-sample x --k is too large (at most 16777216 exact answers)";
    } else if (o->threads > o->concurrency) {
        bad = "--threads cannot exceed --concurrency";
    } else if (o->load_method == BENCH_LOAD_INSERT &&
               (uint64_t)o->batch * 7 > BENCH_INSERT_PARAMS_MAX) {
        bad = "--batch too large for --load-method insert (at most 9362 rows of 7 parameters)";
    }
    if (bad != NULL) return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "%s", bad);
    if (o->duration_s == 0 && o->count == 0) o->duration_s = 10;
    if (o->label == NULL) o->label = bench_dialect_name(o->dialect);
    if (strlen(o->label) >= 64) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "--label is too long (63 bytes)");
    }
    if (o->dataset == NULL && o->rows * o->dims * sizeof(float) > BENCH_VECTOR_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "--rows x --dims needs more than %llu bytes of vectors in memory",
                          (unsigned long long)BENCH_VECTOR_BYTES_MAX);
    }
    return true;
}

bool bench_opts_parse(bench_opts *o, int argc, char **argv, rt_err *err) {
    optind = 1;
    opterr = 0;
    int id;
    while ((id = getopt_long(argc, argv, "", BENCH_OPTIONS, NULL)) != -1) {
        if (id == '?' || id == ':') {
            return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "unknown option or missing value: \"%s\"", argv[optind - 1]);
        }
        bool known;
        if (!bench_opts_apply_run(o, id, optarg, &known, err)) return false;
        if (!known && !bench_opts_apply_data(o, id, optarg, err)) return false;
    }
    if (optind < argc) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "unexpected argument \"%s\"",
                          argv[optind]);
    }
    if (o->help) return true;
    return bench_opts_check(o, err);
}
