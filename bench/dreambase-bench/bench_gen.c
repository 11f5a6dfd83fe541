/* bench_gen.c: the seeded data generator and its random numbers.
 * Every value is a function of (seed, stream, index) alone: row 123's vector is the same
 * whether one thread or eight made it, in any order, so a later run (ann after load) can
 * rebuild the exact data the server holds without reading it back. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench/dreambase-bench/bench.h"
#include "runtime/rt_mem.h"

/* ---- random numbers ---------------------------------------------------------------------- */

static uint64_t bench_splitmix(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void bench_rng_seed(bench_rng *rng, uint64_t seed, uint64_t stream, uint64_t index) {
    /* Mix the three inputs through splitmix before expanding, so neighbouring indexes (and
     * streams) give unrelated states rather than shifted copies of one sequence. */
    uint64_t x = seed;
    uint64_t a = bench_splitmix(&x) ^ (stream * 0xd1b54a32d192ed03ull);
    uint64_t b = bench_splitmix(&a) ^ (index * 0x8cb92ba72f3d8dd7ull);
    for (int i = 0; i < 4; i++) rng->s[i] = bench_splitmix(&b);
    rng->has_spare = false;
    rng->spare = 0;
}

static inline uint64_t bench_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t bench_rng_next(bench_rng *rng) {
    uint64_t *s = rng->s;
    uint64_t result = bench_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = bench_rotl(s[3], 45);
    return result;
}

double bench_rng_uniform(bench_rng *rng) {
    return (double)(bench_rng_next(rng) >> 11) * 0x1.0p-53;
}

uint64_t bench_rng_below(bench_rng *rng, uint64_t n) {
    RT_ASSERT(n > 0);
    /* Reject the top partial block so every residue is equally likely. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
        x = bench_rng_next(rng);
    } while (x >= limit);
    return x % n;
}

double bench_rng_gauss(bench_rng *rng) {
    if (rng->has_spare) {
        rng->has_spare = false;
        return rng->spare;
    }
    double u1 = bench_rng_uniform(rng);
    double u2 = bench_rng_uniform(rng);
    double r = sqrt(-2.0 * log(1.0 - u1)); /* 1 - u1 is in (0, 1]: log never sees 0 */
    double theta = 2.0 * M_PI * u2;
    rng->spare = r * sin(theta);
    rng->has_spare = true;
    return r * cos(theta);
}

/* ---- categories and words ---------------------------------------------------------------- */

/* Shares chosen so the filter `category = 'legal'` is rare and 'news' common. */
static const char *const BENCH_CATEGORY_NAMES[BENCH_CATEGORY_COUNT] = {
    "news", "blog", "docs", "forum", "legal"};
static const double BENCH_CATEGORY_SHARES[BENCH_CATEGORY_COUNT] = {0.40, 0.25, 0.20, 0.10, 0.05};

static const char *const BENCH_WORDS[] = {
    "vector", "index",  "query",   "latency", "memory", "shard",  "commit", "graph",
    "search", "filter", "planner", "column",  "table",  "update", "recall", "cluster",
    "embed",  "model",  "token",   "prompt",  "answer", "user",   "report", "budget",
    "order",  "signal", "stream",  "window",  "ledger", "cache",  "design", "result"};
#define BENCH_WORD_COUNT (sizeof BENCH_WORDS / sizeof BENCH_WORDS[0])

const char *bench_gen_category_name(uint32_t category) {
    RT_ASSERT(category < BENCH_CATEGORY_COUNT);
    return BENCH_CATEGORY_NAMES[category];
}

double bench_gen_category_share(uint32_t category) {
    RT_ASSERT(category < BENCH_CATEGORY_COUNT);
    return BENCH_CATEGORY_SHARES[category];
}

/* ---- setup ------------------------------------------------------------------------------- */

static void bench_gen_make_centres(bench_gen *gen) {
    uint32_t dims = gen->config.dims;
    gen->centres = rt_xmalloc((size_t)gen->config.clusters * dims * sizeof(float));
    for (uint32_t c = 0; c < gen->config.clusters; c++) {
        bench_rng rng;
        bench_rng_seed(&rng, gen->config.seed, BENCH_STREAM_CENTRES, c);
        float *v = gen->centres + (size_t)c * dims;
        double norm = 0;
        for (uint32_t j = 0; j < dims; j++) {
            v[j] = (float)bench_rng_gauss(&rng);
            norm += (double)v[j] * v[j];
        }
        /* A Gaussian vector is uniformly distributed in direction: unit centres are spread
         * evenly over the sphere. */
        double inv = norm > 0 ? 1.0 / sqrt(norm) : 0;
        for (uint32_t j = 0; j < dims; j++) v[j] = (float)(v[j] * inv);
    }
}

static void bench_gen_make_user_cdf(bench_gen *gen) {
    uint32_t users = gen->config.users;
    gen->user_cdf = rt_xmalloc((size_t)users * sizeof(double));
    double total = 0;
    for (uint32_t r = 1; r <= users; r++) {
        total += pow((double)r, -gen->config.zipf_s);
        gen->user_cdf[r - 1] = total;
    }
    for (uint32_t r = 0; r < users; r++) gen->user_cdf[r] /= total;
    gen->user_cdf[users - 1] = 1.0; /* exact, so u < 1 always finds a rank */
}

bool bench_gen_init(bench_gen *gen, const bench_gen_config *config, rt_err *err) {
    memset(gen, 0, sizeof *gen);
    if (config->dims > BENCH_DIMS_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "vector cannot have more than %d dimensions", BENCH_DIMS_MAX);
    }
    if (config->users == 0 || config->users > BENCH_USERS_MAX) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "--users must be between 1 and %u", BENCH_USERS_MAX);
    }
    if (config->dims > 0 && (config->clusters == 0 || config->clusters > BENCH_CLUSTERS_MAX)) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "--clusters must be between 1 and %u", BENCH_CLUSTERS_MAX);
    }
    if (!(config->zipf_s >= 0 && config->zipf_s <= 10) ||
        !(config->spread >= 0 && config->spread <= 100)) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "--zipf must be in [0, 10] and --spread in [0, 100]");
    }
    gen->config = *config;
    if (config->dims > 0) bench_gen_make_centres(gen);
    bench_gen_make_user_cdf(gen);
    return true;
}

void bench_gen_free(bench_gen *gen) {
    rt_free(gen->centres);
    rt_free(gen->user_cdf);
    gen->centres = NULL;
    gen->user_cdf = NULL;
}

/* ---- values ------------------------------------------------------------------------------ */

uint32_t bench_gen_vector(const bench_gen *gen, uint64_t stream, uint64_t index, float *out) {
    uint32_t dims = gen->config.dims;
    RT_ASSERT(dims > 0);
    bench_rng rng;
    bench_rng_seed(&rng, gen->config.seed, stream, index);
    uint32_t cluster = (uint32_t)bench_rng_below(&rng, gen->config.clusters);
    const float *centre = gen->centres + (size_t)cluster * dims;
    /* Per-element sigma spread/sqrt(dims) makes the noise's norm about `spread` whatever the
     * dimension, so cluster tightness does not change with --dims. */
    double sigma = gen->config.spread / sqrt((double)dims);
    double norm = 0;
    for (uint32_t j = 0; j < dims; j++) {
        double x = centre[j] + sigma * bench_rng_gauss(&rng);
        out[j] = (float)x;
        norm += x * x;
    }
    if (norm == 0) {
        out[0] = 1; /* cannot happen with unit centres, but a zero vector has no cosine */
        return cluster;
    }
    double inv = 1.0 / sqrt(norm);
    for (uint32_t j = 0; j < dims; j++) out[j] = (float)(out[j] * inv);
    return cluster;
}

/* 7919 is prime and does not divide BENCH_BUCKETS, so i -> i * 7919 + offset is a bijection
 * of Z_BUCKETS: one aligned block of ids covers each bucket once, spread over the block. */
#define BENCH_BUCKET_STRIDE 7919u
RT_STATIC_ASSERT(BENCH_BUCKETS % 2 == 0 && BENCH_BUCKETS % 5 == 0);

uint32_t bench_gen_bucket(uint64_t seed, uint64_t id) {
    RT_ASSERT(id >= 1);
    uint64_t offset = seed % BENCH_BUCKETS;
    uint64_t i = (id - 1) % BENCH_BUCKETS;
    return (uint32_t)((i * BENCH_BUCKET_STRIDE + offset) % BENCH_BUCKETS);
}

uint64_t bench_gen_bucket_count(uint64_t seed, uint64_t rows, uint32_t bound) {
    uint64_t count = (rows / BENCH_BUCKETS) * bound;
    uint64_t first = rows - rows % BENCH_BUCKETS; /* ids first+1..rows form the partial block */
    for (uint64_t id = first + 1; id <= rows; id++) {
        if (bench_gen_bucket(seed, id) < bound) count++;
    }
    return count;
}

uint32_t bench_gen_user_from_uniform(const bench_gen *gen, double u) {
    /* The first rank whose cumulative share exceeds u. */
    uint32_t lo = 0, hi = gen->config.users - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (gen->user_cdf[mid] > u) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return lo + 1;
}

double bench_gen_user_share(const bench_gen *gen, uint32_t rank) {
    RT_ASSERT(rank >= 1 && rank <= gen->config.users);
    double below = rank > 1 ? gen->user_cdf[rank - 2] : 0;
    return gen->user_cdf[rank - 1] - below;
}

static uint32_t bench_gen_category_from_uniform(double u) {
    double acc = 0;
    for (uint32_t c = 0; c + 1 < BENCH_CATEGORY_COUNT; c++) {
        acc += BENCH_CATEGORY_SHARES[c];
        if (u < acc) return c;
    }
    return BENCH_CATEGORY_COUNT - 1;
}

void bench_gen_row(const bench_gen *gen, uint64_t id, bench_row *row) {
    bench_rng rng;
    bench_rng_seed(&rng, gen->config.seed, BENCH_STREAM_SCALARS, id);
    row->id = id;
    row->user_rank = bench_gen_user_from_uniform(gen, bench_rng_uniform(&rng));
    row->category = bench_gen_category_from_uniform(bench_rng_uniform(&rng));
    row->created_at_s =
        BENCH_CREATED_AT_START_S + (int64_t)bench_rng_below(&rng, BENCH_CREATED_AT_SPAN_S);
    row->bucket = bench_gen_bucket(gen->config.seed, id);
}

size_t bench_gen_content(const bench_gen *gen, uint64_t id, uint64_t version, char *out,
                         size_t cap) {
    RT_ASSERT(cap >= BENCH_CONTENT_BYTES_MAX);
    bench_rng rng;
    bench_rng_seed(&rng, gen->config.seed + version * 0x9e3779b97f4a7c15ull, BENCH_STREAM_CONTENT,
                   id);
    int len = version == 0 ? snprintf(out, cap, "doc %llu:", (unsigned long long)id)
                           : snprintf(out, cap, "doc %llu v%llu:", (unsigned long long)id,
                                      (unsigned long long)version);
    size_t used = (size_t)len;
    /* 6 to 12 words of at most 7 letters: well under BENCH_CONTENT_BYTES_MAX. */
    uint32_t words = 6 + (uint32_t)bench_rng_below(&rng, 7);
    for (uint32_t w = 0; w < words; w++) {
        const char *word = BENCH_WORDS[bench_rng_below(&rng, BENCH_WORD_COUNT)];
        size_t wl = strlen(word);
        RT_ASSERT(used + 1 + wl < cap);
        out[used++] = ' ';
        memcpy(out + used, word, wl);
        used += wl;
    }
    out[used] = '\0';
    return used;
}

size_t bench_format_timestamp(int64_t unix_s, char *out, size_t cap) {
    time_t t = (time_t)unix_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t len = strftime(out, cap, "%Y-%m-%d %H:%M:%S+00", &tm);
    RT_ASSERT(len > 0);
    return len;
}
