/* eng_btree_build_bench.c: a B-tree of N entries built key by key (eng_btree_put in slot order,
 * as a partition's index was built before) against the bulk build (eng_btree_entry_set, then
 * eng_btree_sort and eng_btree_load, eng_part_ixbuild.c's path), for integer keys (an int4
 * index entry: 5-byte key ++ 5-byte primary key) and text keys ('key-N', about 12 bytes ++ the
 * primary key). The keys are made once beforehand; each build copies them as a real build does,
 * and the process CPU time of the build alone is reported (CPU time: less sensitive than wall
 * time to other work on the machine), best and median over --repeat builds, alternating.
 * Usage: eng_btree_build_bench [--rows N] [--repeat R]   (defaults: 1000000, 5) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/eng_btree.h"
#include "runtime/rt_mem.h"

typedef struct keyset {
    uint8_t *bytes;
    uint32_t *off, *len;
} keyset;

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Order-preserving big-endian integer with a leading tag byte, as the key encoder writes. */
static uint32_t put_int(uint8_t *out, uint32_t v) {
    out[0] = 0x10;
    for (int i = 0; i < 4; i++) out[1 + i] = (uint8_t)(v >> (24 - 8 * i));
    return 5;
}

static void make_keys(keyset *ks, uint32_t rows, uint32_t distinct, bool text) {
    ks->bytes = rt_xmalloc((size_t)rows * 40);
    ks->off = rt_xmalloc(rows * sizeof(uint32_t));
    ks->len = rt_xmalloc(rows * sizeof(uint32_t));
    uint32_t at = 0;
    for (uint32_t slot = 0; slot < rows; slot++) {
        uint32_t id = slot + 1, k = (uint32_t)(((uint64_t)id * 7919) % distinct);
        uint8_t *p = ks->bytes + at;
        uint32_t n = 0;
        if (text) {
            p[n++] = 0x20;
            n += (uint32_t)sprintf((char *)p + n, "key-%u", k);
            p[n++] = 0;
        } else {
            n += put_int(p, k);
        }
        n += put_int(p + n, id);
        ks->off[slot] = at;
        ks->len[slot] = n;
        at += n;
    }
}

static double build_put(const keyset *ks, uint32_t rows) {
    double t0 = cpu_s();
    eng_btree *t = eng_btree_create();
    rt_err err;
    rt_err_clear(&err);
    for (uint32_t slot = 0; slot < rows; slot++) {
        if (!eng_btree_put(t, ks->bytes + ks->off[slot], ks->len[slot], slot, NULL, &err)) abort();
    }
    double s = cpu_s() - t0;
    eng_btree_destroy(t);
    return s;
}

static double build_bulk(const keyset *ks, uint32_t rows) {
    double t0 = cpu_s();
    eng_btree_entry *e = rt_xmalloc(rows * sizeof *e);
    for (uint32_t slot = 0; slot < rows; slot++) {
        uint8_t *copy = rt_xmalloc(ks->len[slot]);
        memcpy(copy, ks->bytes + ks->off[slot], ks->len[slot]);
        eng_btree_entry_set(&e[slot], copy, ks->len[slot], slot);
    }
    eng_btree_sort(e, rows, true);
    eng_btree *t = eng_btree_create();
    eng_btree_load(t, e, rows);
    rt_free(e);
    double s = cpu_s() - t0;
    if (!eng_btree_check(t) || eng_btree_count(t) != rows) abort();
    eng_btree_destroy(t);
    return s;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    uint32_t rows = 1000000, repeat = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--rows") == 0) rows = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        if (strcmp(argv[i], "--repeat") == 0) repeat = (uint32_t)strtoul(argv[i + 1], NULL, 10);
    }
    if (rows == 0 || repeat == 0 || repeat > 100) return 2;
    for (int text = 0; text < 2; text++) {
        keyset ks;
        make_keys(&ks, rows, rows / 10 > 0 ? rows / 10 : 1, text != 0);
        double put[100], bulk[100];
        for (uint32_t r = 0; r < repeat; r++) {
            put[r] = build_put(&ks, rows);
            bulk[r] = build_bulk(&ks, rows);
        }
        qsort(put, repeat, sizeof put[0], cmp_double);
        qsort(bulk, repeat, sizeof bulk[0], cmp_double);
        printf("%s keys, %u rows: key by key best %.1f ms median %.1f ms | bulk best %.1f ms "
               "median %.1f ms | bulk/put median %.2f\n", text ? "text" : "int", rows,
               put[0] * 1e3, put[repeat / 2] * 1e3, bulk[0] * 1e3, bulk[repeat / 2] * 1e3,
               bulk[repeat / 2] / put[repeat / 2]);
        rt_free(ks.bytes);
        rt_free(ks.off);
        rt_free(ks.len);
    }
    return 0;
}
