/* test_bench_file.c: the readers of vector files (.fvecs .bvecs .ivecs .u8 .npy).
 * How: each test writes a small file into a fresh temporary directory, reads it back, and
 * checks the values, or for a malformed file that the reader refuses it with SQLSTATE 22P04
 * (or 58P01 / 22023) and a message naming what is wrong. The files are untrusted input: no
 * malformed file may crash the reader or make it allocate what the file merely claims. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bench/dreambase-bench/bench.h"

static char test_dir[64];

static int test_setup(void **state) {
    snprintf(test_dir, sizeof test_dir, "/tmp/test_bench_file_XXXXXX");
    return mkdtemp(test_dir) != NULL ? 0 : -1;
}

static int test_teardown(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", test_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *test_write(const char *name, const void *data, size_t len) {
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", test_dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    fclose(fp);
    return path;
}

/* A byte buffer to build files in. */
typedef struct test_buf {
    unsigned char b[8192];
    size_t len;
} test_buf;

static void put32(test_buf *t, uint32_t v) {
    memcpy(t->b + t->len, &v, 4); /* the machine is little-endian, like the formats */
    t->len += 4;
}

static void putf(test_buf *t, float f) {
    memcpy(t->b + t->len, &f, 4);
    t->len += 4;
}

static void puts_(test_buf *t, const char *s, size_t n) {
    memcpy(t->b + t->len, s, n);
    t->len += n;
}

/* Reads `path` expecting failure with `sqlstate` and `needle` in the message. */
static void test_refused(const char *path, uint32_t dims, const char *sqlstate,
                         const char *needle) {
    bench_vectors v;
    rt_err err;
    rt_err_clear(&err);
    assert_false(bench_file_read_vectors(path, dims, 0, &v, &err));
    assert_string_equal(err.sqlstate, sqlstate);
    if (strstr(err.message, needle) == NULL) fail_msg("\"%s\" lacks \"%s\"", err.message, needle);
    assert_null(v.data);
}

static void test_bench_file_fvecs_good(void **state) {
    test_buf t = {.len = 0};
    for (int r = 0; r < 3; r++) {
        put32(&t, 4);
        for (int j = 0; j < 4; j++) putf(&t, (float)(r * 10 + j) + 0.5f);
    }
    const char *path = test_write("good.fvecs", t.b, t.len);
    bench_vectors v;
    rt_err err;
    rt_err_clear(&err);
    assert_true(bench_file_read_vectors(path, 0, 0, &v, &err));
    assert_int_equal(v.count, 3);
    assert_int_equal(v.dims, 4);
    assert_true(v.data[0] == 0.5f && v.data[11] == 23.5f);
    bench_vectors_free(&v);
    /* count_max cuts; a matching --dims is accepted. */
    assert_true(bench_file_read_vectors(path, 4, 2, &v, &err));
    assert_int_equal(v.count, 2);
    bench_vectors_free(&v);
}

static void test_bench_file_fvecs_malformed(void **state) {
    test_buf t = {.len = 0};
    put32(&t, 4);
    for (int j = 0; j < 4; j++) putf(&t, 1);
    put32(&t, 4);
    putf(&t, 1); /* the second record stops short */
    test_refused(test_write("short.fvecs", t.b, t.len), 0, "22P04", "truncated");
    t.len = 0;
    put32(&t, 2), putf(&t, 1), putf(&t, 2); /* 24 bytes: two records of dimension 2? */
    put32(&t, 3), putf(&t, 1), putf(&t, 2); /* no: the second says 3 */
    test_refused(test_write("dims.fvecs", t.b, t.len), 0, "22P04", "record 1");
    t.len = 0;
    put32(&t, 0);
    test_refused(test_write("zero.fvecs", t.b, t.len), 0, "22P04", "invalid dimension 0");
    t.len = 0;
    put32(&t, (uint32_t)-5);
    test_refused(test_write("neg.fvecs", t.b, t.len), 0, "22P04", "invalid dimension -5");
    t.len = 0;
    put32(&t, 5000), putf(&t, 1);
    test_refused(test_write("huge.fvecs", t.b, t.len), 0, "22P04", "must be 1 to 4096");
    t.len = 0;
    put32(&t, 2), putf(&t, 1), putf(&t, NAN);
    test_refused(test_write("nan.fvecs", t.b, t.len), 0, "22P04", "non-finite");
    t.len = 0;
    put32(&t, 2), putf(&t, 1), putf(&t, 2);
    test_refused(test_write("want3.fvecs", t.b, t.len), 3, "22P04", "expected 3");
    test_refused(test_write("empty.fvecs", t.b, 0), 0, "22P04", "too short");
    char missing[160];
    snprintf(missing, sizeof missing, "%s/none.fvecs", test_dir);
    test_refused(missing, 0, "58P01", "could not open file");
    test_refused(test_write("data.txt", t.b, t.len), 0, "22023", "unknown vector file format");
    test_refused(test_dir, 0, "22023", "unknown vector file format");
}

static void test_bench_file_bvecs_ivecs_u8(void **state) {
    test_buf t = {.len = 0};
    for (int r = 0; r < 2; r++) {
        put32(&t, 3);
        unsigned char bytes[3] = {(unsigned char)r, 128, 255};
        puts_(&t, (const char *)bytes, 3);
    }
    bench_vectors v;
    rt_err err;
    rt_err_clear(&err);
    assert_true(bench_file_read_vectors(test_write("a.bvecs", t.b, t.len), 0, 0, &v, &err));
    assert_int_equal(v.count, 2);
    assert_true(v.data[3] == 1 && v.data[4] == 128 && v.data[5] == 255);
    bench_vectors_free(&v);
    test_refused(test_write("b.bvecs", t.b, t.len - 1), 0, "22P04", "truncated");
    /* .ivecs ground truth: ids per query. */
    t.len = 0;
    put32(&t, 2), put32(&t, 7), put32(&t, 9);
    put32(&t, 2), put32(&t, 1), put32(&t, 3);
    bench_ids ids;
    assert_true(bench_file_read_ids(test_write("gt.ivecs", t.b, t.len), 0, &ids, &err));
    assert_int_equal(ids.count, 2);
    assert_int_equal(ids.width, 2);
    assert_int_equal(ids.data[1], 9);
    assert_int_equal(ids.data[3], 3);
    bench_ids_free(&ids);
    assert_false(bench_file_read_ids(test_write("gt.fvecs", t.b, t.len), 0, &ids, &err));
    assert_string_equal(err.sqlstate, "22023");
    /* Raw uint8: the dimension comes from the caller. */
    rt_err_clear(&err);
    unsigned char raw[6] = {1, 2, 3, 4, 5, 6};
    assert_true(bench_file_read_vectors(test_write("r.u8", raw, 6), 3, 0, &v, &err));
    assert_int_equal(v.count, 2);
    assert_true(v.data[5] == 6);
    bench_vectors_free(&v);
    test_refused(test_write("r2.u8", raw, 6), 4, "22P04", "not a multiple of the dimension 4");
    test_refused(test_write("r3.u8", raw, 6), 0, "22023", "--dims");
}

/* A .npy file: magic, version, header (padded so data starts on a 64-byte boundary). */
static void test_npy(test_buf *t, int major, const char *dict, uint32_t rows, uint32_t dims) {
    t->len = 0;
    puts_(t, "\x93NUMPY", 6);
    unsigned char ver[2] = {(unsigned char)major, 0};
    puts_(t, (const char *)ver, 2);
    size_t pre = major == 1 ? 10 : 12, dl = strlen(dict);
    size_t total = (pre + dl + 1 + 63) / 64 * 64;
    uint32_t hl = (uint32_t)(total - pre);
    if (major == 1) {
        unsigned char l[2] = {(unsigned char)hl, (unsigned char)(hl >> 8)};
        puts_(t, (const char *)l, 2);
    } else {
        put32(t, hl);
    }
    puts_(t, dict, dl);
    while (t->len < total - 1) puts_(t, " ", 1);
    puts_(t, "\n", 1);
    for (uint32_t i = 0; i < rows * dims; i++) putf(t, (float)i);
}

static void test_bench_file_npy(void **state) {
    test_buf t;
    bench_vectors v;
    rt_err err;
    rt_err_clear(&err);
    test_npy(&t, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }", 3, 5);
    assert_true(bench_file_read_vectors(test_write("a.npy", t.b, t.len), 0, 0, &v, &err));
    assert_int_equal(v.count, 3);
    assert_int_equal(v.dims, 5);
    assert_true(v.data[14] == 14);
    bench_vectors_free(&v);
    test_npy(&t, 2, "{\"shape\": (2,4), \"fortran_order\": False, \"descr\": \"<f4\"}", 2, 4);
    assert_true(bench_file_read_vectors(test_write("b.npy", t.b, t.len), 4, 0, &v, &err));
    assert_int_equal(v.count, 2);
    bench_vectors_free(&v);
    test_npy(&t, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 5), }", 3, 5);
    test_refused(test_write("f8.npy", t.b, t.len), 0, "22P04", "'<f4'");
    test_npy(&t, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (3, 5), }", 3, 5);
    test_refused(test_write("fo.npy", t.b, t.len), 0, "22P04", "Fortran");
    test_npy(&t, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (15,), }", 3, 5);
    test_refused(test_write("1d.npy", t.b, t.len), 0, "22P04", "1-D");
    test_npy(&t, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 5), }", 3, 5);
    test_refused(test_write("short.npy", t.b, t.len), 0, "22P04", "needs");
    test_npy(&t, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), 'x': 1}", 3, 5);
    test_refused(test_write("key.npy", t.b, t.len), 0, "22P04", "malformed");
    test_npy(&t, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5)", 3, 5);
    test_refused(test_write("open.npy", t.b, t.len), 0, "22P04", "malformed");
    test_npy(&t, 3, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }", 3, 5);
    test_refused(test_write("v3.npy", t.b, t.len), 0, "22P04", "version 3");
    test_npy(&t, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }", 3, 5);
    t.b[0] = 'X';
    test_refused(test_write("magic.npy", t.b, t.len), 0, "22P04", "bad magic");
    test_npy(&t, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }", 3, 5);
    t.b[8] = 0xff, t.b[9] = 0xff; /* a header longer than the file */
    test_refused(test_write("hlen.npy", t.b, t.len), 0, "22P04", "header length");
    test_npy(&t, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 5)}",
             0, 5);
    test_refused(test_write("big.npy", t.b, t.len), 0, "22P04", "malformed");
    test_npy(&t, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 5000)}", 0, 5);
    test_refused(test_write("wide.npy", t.b, t.len), 0, "22P04", "beyond the limits");
    test_npy(&t, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", 1, 2);
    float nan = NAN;
    memcpy(t.b + t.len - 4, &nan, 4);
    test_refused(test_write("nan.npy", t.b, t.len), 0, "22P04", "non-finite");
    test_refused(test_write("tiny.npy", "\x93NUM", 4), 0, "22P04", "bad magic");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bench_file_fvecs_good),
        cmocka_unit_test(test_bench_file_fvecs_malformed),
        cmocka_unit_test(test_bench_file_bvecs_ivecs_u8),
        cmocka_unit_test(test_bench_file_npy),
    };
    return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
