/* bench_file.c: readers of the vector file formats of public ANN data sets.
 *   .fvecs / .bvecs / .ivecs  records of (int32 little-endian dimension, then that many
 *                             float32 / uint8 / int32 values), as in the TEXMEX corpus
 *   .u8                       raw uint8 rows; the dimension comes from --dims
 *   .npy                      NumPy's format: magic, version, a dict literal header, then
 *                             float32 data ('<f4', C order, shape (n, d))
 * The files are untrusted input: every size and field is checked against the file's length
 * and our limits before anything is allocated or read, and the error names the file, the
 * record and what was wrong. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/dreambase-bench/bench.h"
#include "runtime/rt_mem.h"

typedef enum bench_file_kind {
    BENCH_FILE_FVECS,
    BENCH_FILE_BVECS,
    BENCH_FILE_IVECS,
    BENCH_FILE_U8,
    BENCH_FILE_NPY,
    BENCH_FILE_UNKNOWN
} bench_file_kind;

static bench_file_kind bench_file_kind_of(const char *path) {
    const char *dot = strrchr(path, '.');
    if (dot == NULL) return BENCH_FILE_UNKNOWN;
    if (strcmp(dot, ".fvecs") == 0) return BENCH_FILE_FVECS;
    if (strcmp(dot, ".bvecs") == 0) return BENCH_FILE_BVECS;
    if (strcmp(dot, ".ivecs") == 0) return BENCH_FILE_IVECS;
    if (strcmp(dot, ".u8") == 0) return BENCH_FILE_U8;
    if (strcmp(dot, ".npy") == 0) return BENCH_FILE_NPY;
    return BENCH_FILE_UNKNOWN;
}

static bool bench_file_open(const char *path, FILE **fp, uint64_t *size, rt_err *err) {
    *fp = fopen(path, "rb");
    if (*fp == NULL) {
        if (errno == ENOENT) {
            return rt_err_set(err, SQLSTATE_UNDEFINED_FILE,
                              "could not open file \"%s\": %s", path, strerror(errno));
        }
        return rt_err_from_errno(err, errno, "could not open file \"%s\"", path);
    }
    struct stat st;
    if (fstat(fileno(*fp), &st) != 0) {
        int e = errno;
        fclose(*fp);
        return rt_err_from_errno(err, e, "could not stat file \"%s\"", path);
    }
    if (!S_ISREG(st.st_mode)) {
        fclose(*fp);
        return rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT, "\"%s\" is not a regular file",
                          path);
    }
    *size = (uint64_t)st.st_size;
    return true;
}

static bool bench_file_read_exact(FILE *fp, void *buf, size_t len, const char *path,
                                  rt_err *err) {
    if (len == 0 || fread(buf, 1, len, fp) == len) return true;
    if (ferror(fp)) return rt_err_from_errno(err, errno, "could not read file \"%s\"", path);
    return rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                      "unexpected end of file \"%s\"", path);
}

static uint32_t bench_le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static float bench_le_float(const unsigned char *p) {
    uint32_t bits = bench_le32(p);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Checks the count of vectors against the caller's cap and the memory bound. */
static bool bench_file_check_count(const char *path, uint64_t count, uint32_t dims,
                                   rt_err *err) {
    if (count == 0) {
        return rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT, "file \"%s\" holds no vectors",
                          path);
    }
    if (count > BENCH_ROWS_MAX || count * dims * sizeof(float) > BENCH_VECTOR_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "file \"%s\": %llu vectors of %u dimensions exceed the memory limit "
                          "of %llu bytes", path, (unsigned long long)count, dims,
                          (unsigned long long)BENCH_VECTOR_BYTES_MAX);
    }
    return true;
}

static bool bench_file_check_dims(const char *path, int64_t file_dims, uint32_t want,
                                  rt_err *err) {
    if (file_dims < 1 || file_dims > BENCH_DIMS_MAX) {
        return rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                          "file \"%s\" has invalid dimension %lld (must be 1 to %d)", path,
                          (long long)file_dims, BENCH_DIMS_MAX);
    }
    if (want != 0 && (uint32_t)file_dims != want) {
        return rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                          "file \"%s\" has dimension %lld, expected %u", path,
                          (long long)file_dims, want);
    }
    return true;
}

/* ---- the *vecs family -------------------------------------------------------------------- */

/* Reads records of (int32 dim, dim values of elem_bytes) and widens each value to 4 bytes in
 * out (float for fvecs/bvecs, int32 for ivecs). */
static bool bench_file_read_vecs(const char *path, bench_file_kind kind, uint32_t want_dims,
                                 uint64_t count_max, uint32_t *dims_out, uint64_t *count_out,
                                 void **data_out, rt_err *err) {
    FILE *fp;
    uint64_t size;
    if (!bench_file_open(path, &fp, &size, err)) return false;
    unsigned char head[4];
    if (size < 4) {
        fclose(fp);
        return rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                          "file \"%s\" is too short to hold a vector (%llu bytes)", path,
                          (unsigned long long)size);
    }
    if (!bench_file_read_exact(fp, head, 4, path, err)) goto fail;
    int32_t dims = (int32_t)bench_le32(head);
    if (!bench_file_check_dims(path, dims, want_dims, err)) goto fail;
    size_t elem = kind == BENCH_FILE_BVECS ? 1 : 4;
    uint64_t record = 4 + (uint64_t)dims * elem;
    if (size % record != 0) {
        rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                   "file \"%s\" is truncated: its size %llu is not a multiple of the record "
                   "size %llu (dimension %d)", path, (unsigned long long)size,
                   (unsigned long long)record, dims);
        goto fail;
    }
    uint64_t count = size / record;
    if (count_max != 0 && count > count_max) count = count_max;
    if (!bench_file_check_count(path, count, (uint32_t)dims, err)) goto fail;
    uint32_t *data = rt_xmalloc(count * (uint64_t)dims * 4);
    unsigned char *buf = rt_xmalloc(record);
    rewind(fp);
    for (uint64_t i = 0; i < count; i++) {
        if (!bench_file_read_exact(fp, buf, record, path, err)) goto fail_data;
        int32_t d = (int32_t)bench_le32(buf);
        if (d != dims) {
            rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                       "record %llu of file \"%s\" has dimension %d, expected %d",
                       (unsigned long long)i, path, d, dims);
            goto fail_data;
        }
        uint32_t *row = data + i * (uint64_t)dims;
        for (int32_t j = 0; j < dims; j++) {
            if (kind == BENCH_FILE_BVECS) {
                float f = (float)buf[4 + j];
                memcpy(&row[j], &f, 4);
                continue;
            }
            row[j] = bench_le32(buf + 4 + 4 * (size_t)j);
            if (kind == BENCH_FILE_FVECS && !isfinite(bench_le_float(buf + 4 + 4 * (size_t)j))) {
                rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                           "record %llu of file \"%s\" holds a non-finite value at element %d",
                           (unsigned long long)i, path, j);
                goto fail_data;
            }
        }
    }
    rt_free(buf);
    fclose(fp);
    *dims_out = (uint32_t)dims;
    *count_out = count;
    *data_out = data;
    return true;
fail_data:
    rt_free(buf);
    rt_free(data);
fail:
    fclose(fp);
    return false;
}

/* ---- raw uint8 --------------------------------------------------------------------------- */

static bool bench_file_read_u8(const char *path, uint32_t dims, uint64_t count_max,
                               bench_vectors *out, rt_err *err) {
    if (dims == 0) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "a .u8 file has no header: give its dimension with --dims");
    }
    FILE *fp;
    uint64_t size;
    if (!bench_file_open(path, &fp, &size, err)) return false;
    if (size % dims != 0) {
        fclose(fp);
        return rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                          "file \"%s\" is truncated: its size %llu is not a multiple of the "
                          "dimension %u", path, (unsigned long long)size, dims);
    }
    uint64_t count = size / dims;
    if (count_max != 0 && count > count_max) count = count_max;
    if (!bench_file_check_count(path, count, dims, err)) {
        fclose(fp);
        return false;
    }
    float *data = rt_xmalloc(count * dims * sizeof(float));
    unsigned char *row = rt_xmalloc(dims);
    for (uint64_t i = 0; i < count; i++) {
        if (!bench_file_read_exact(fp, row, dims, path, err)) {
            rt_free(row);
            rt_free(data);
            fclose(fp);
            return false;
        }
        for (uint32_t j = 0; j < dims; j++) data[i * dims + j] = (float)row[j];
    }
    rt_free(row);
    fclose(fp);
    *out = (bench_vectors){.count = count, .dims = dims, .data = data};
    return true;
}

/* ---- .npy -------------------------------------------------------------------------------- */

typedef struct bench_npy_header {
    bool have_descr, have_order, have_shape;
    bool descr_ok, fortran;
    uint32_t shape_len;
    uint64_t shape[2];
} bench_npy_header;

static const char *bench_npy_skip(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n')) p++;
    return p;
}

/* A quoted string (single or double quotes); sets val and len to its contents. */
static const char *bench_npy_string(const char *p, const char *end, const char **val,
                                    size_t *len) {
    if (p >= end || (*p != '\'' && *p != '"')) return NULL;
    char quote = *p++;
    const char *start = p;
    while (p < end && *p != quote) p++;
    if (p >= end) return NULL;
    *val = start;
    *len = (size_t)(p - start);
    return p + 1;
}

/* A tuple of up to two non-negative integers: "(1000, 128)", "(5,)" or "()". */
static const char *bench_npy_shape(const char *p, const char *end, bench_npy_header *h) {
    if (p >= end || *p != '(') return NULL;
    p++;
    h->shape_len = 0;
    for (;;) {
        p = bench_npy_skip(p, end);
        if (p < end && *p == ')') return p + 1;
        if (p >= end || *p < '0' || *p > '9' || h->shape_len == 2) return NULL;
        uint64_t v = 0;
        while (p < end && *p >= '0' && *p <= '9') {
            if (v > (UINT64_MAX - 9) / 10) return NULL;
            v = v * 10 + (uint64_t)(*p++ - '0');
        }
        h->shape[h->shape_len++] = v;
        p = bench_npy_skip(p, end);
        if (p < end && *p == ',') p++;
        else if (p >= end || *p != ')') return NULL;
    }
}

static const char *bench_npy_entry(const char *p, const char *end, bench_npy_header *h) {
    const char *key, *val;
    size_t key_len, val_len;
    p = bench_npy_string(p, end, &key, &key_len);
    if (p == NULL) return NULL;
    p = bench_npy_skip(p, end);
    if (p >= end || *p != ':') return NULL;
    p = bench_npy_skip(p + 1, end);
    if (key_len == 5 && memcmp(key, "descr", 5) == 0) {
        p = bench_npy_string(p, end, &val, &val_len);
        h->have_descr = true;
        h->descr_ok = p != NULL && val_len == 3 && memcmp(val, "<f4", 3) == 0;
        return p;
    }
    if (key_len == 13 && memcmp(key, "fortran_order", 13) == 0) {
        h->have_order = true;
        if (end - p >= 5 && memcmp(p, "False", 5) == 0) return p + 5;
        if (end - p >= 4 && memcmp(p, "True", 4) == 0) {
            h->fortran = true;
            return p + 4;
        }
        return NULL;
    }
    if (key_len == 5 && memcmp(key, "shape", 5) == 0) {
        h->have_shape = true;
        return bench_npy_shape(p, end, h);
    }
    return NULL; /* NumPy writes exactly these three keys */
}

static bool bench_npy_parse_header(const char *text, size_t len, bench_npy_header *h) {
    memset(h, 0, sizeof *h);
    const char *p = text, *end = text + len;
    p = bench_npy_skip(p, end);
    if (p >= end || *p != '{') return false;
    p++;
    for (;;) {
        p = bench_npy_skip(p, end);
        if (p < end && *p == '}') break;
        p = bench_npy_entry(p, end, h);
        if (p == NULL) return false;
        p = bench_npy_skip(p, end);
        if (p < end && *p == ',') p++;
        else if (p >= end || *p != '}') return false;
    }
    p = bench_npy_skip(p + 1, end);
    return p == end && h->have_descr && h->have_order && h->have_shape;
}

static bool bench_npy_check_header(const char *path, const bench_npy_header *h,
                                   rt_err *err) {
    if (!h->descr_ok) {
        return rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                          "file \"%s\" does not hold little-endian float32 ('<f4') data", path);
    }
    if (h->fortran) {
        return rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                          "file \"%s\" is in Fortran order; save it in C order", path);
    }
    if (h->shape_len != 2) {
        return rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                          "file \"%s\" holds a %u-D array, expected 2-D (vectors, dimension)",
                          path, h->shape_len);
    }
    return true;
}

/* Reads the magic, version and header; leaves fp at the first data byte. */
static bool bench_npy_read_header(FILE *fp, const char *path, uint64_t size,
                                  bench_npy_header *h, uint64_t *data_offset, rt_err *err) {
    unsigned char pre[12];
    if (size < 10 || !bench_file_read_exact(fp, pre, 10, path, err) ||
        memcmp(pre, "\x93NUMPY", 6) != 0) {
        if (rt_err_is_set(err)) rt_err_clear(err);
        return rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                          "file \"%s\" is not a .npy file (bad magic)", path);
    }
    uint32_t major = pre[6];
    uint64_t header_len, offset;
    if (major == 1) {
        header_len = (uint32_t)pre[8] | (uint32_t)pre[9] << 8;
        offset = 10;
    } else if (major == 2) {
        if (size < 12 || !bench_file_read_exact(fp, pre + 10, 2, path, err)) return false;
        header_len = bench_le32(pre + 8);
        offset = 12;
    } else {
        return rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                          "file \"%s\" has .npy format version %u, expected 1 or 2", path, major);
    }
    if (header_len > BENCH_NPY_HEADER_BYTES_MAX || offset + header_len > size) {
        return rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                          "file \"%s\" has an invalid .npy header length %llu", path,
                          (unsigned long long)header_len);
    }
    char *text = rt_xmalloc(header_len + 1);
    bool ok = bench_file_read_exact(fp, text, header_len, path, err);
    if (ok && !bench_npy_parse_header(text, header_len, h)) {
        ok = rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                        "file \"%s\" has a malformed .npy header", path);
    }
    rt_free(text);
    *data_offset = offset + header_len;
    return ok && bench_npy_check_header(path, h, err);
}

static bool bench_file_read_npy(const char *path, uint32_t want_dims, uint64_t count_max,
                                bench_vectors *out, rt_err *err) {
    FILE *fp;
    uint64_t size, offset = 0;
    bench_npy_header h;
    if (!bench_file_open(path, &fp, &size, err)) return false;
    if (!bench_npy_read_header(fp, path, size, &h, &offset, err)) goto fail;
    if (h.shape[1] > BENCH_DIMS_MAX || h.shape[0] > BENCH_ROWS_MAX) {
        rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                   "file \"%s\" has shape (%llu, %llu), beyond the limits (%llu, %d)", path,
                   (unsigned long long)h.shape[0], (unsigned long long)h.shape[1],
                   (unsigned long long)BENCH_ROWS_MAX, BENCH_DIMS_MAX);
        goto fail;
    }
    if (!bench_file_check_dims(path, (int64_t)h.shape[1], want_dims, err)) goto fail;
    uint32_t dims = (uint32_t)h.shape[1];
    if (size - offset != h.shape[0] * dims * 4) {
        rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                   "file \"%s\" holds %llu data bytes, its shape (%llu, %u) needs %llu", path,
                   (unsigned long long)(size - offset), (unsigned long long)h.shape[0], dims,
                   (unsigned long long)(h.shape[0] * dims * 4));
        goto fail;
    }
    uint64_t count = h.shape[0];
    if (count_max != 0 && count > count_max) count = count_max;
    if (!bench_file_check_count(path, count, dims, err)) goto fail;
    float *data = rt_xmalloc(count * dims * sizeof(float));
    if (!bench_file_read_exact(fp, data, count * dims * sizeof(float), path, err)) {
        rt_free(data);
        goto fail;
    }
    for (uint64_t i = 0; i < count * dims; i++) {
        float f = bench_le_float((const unsigned char *)&data[i]);
        if (!isfinite(f)) {
            rt_err_set(err, SQLSTATE_BAD_COPY_FILE_FORMAT,
                       "vector %llu of file \"%s\" holds a non-finite value at element %u",
                       (unsigned long long)(i / dims), path, (uint32_t)(i % dims));
            rt_free(data);
            goto fail;
        }
        data[i] = f;
    }
    fclose(fp);
    *out = (bench_vectors){.count = count, .dims = dims, .data = data};
    return true;
fail:
    fclose(fp);
    return false;
}

/* ---- entry points ------------------------------------------------------------------------ */

bool bench_file_read_vectors(const char *path, uint32_t dims, uint64_t count_max,
                             bench_vectors *out, rt_err *err) {
    memset(out, 0, sizeof *out);
    bench_file_kind kind = bench_file_kind_of(path);
    switch (kind) {
    case BENCH_FILE_FVECS:
    case BENCH_FILE_BVECS: {
        void *data;
        if (!bench_file_read_vecs(path, kind, dims, count_max, &out->dims, &out->count, &data,
                                  err)) {
            return false;
        }
        out->data = data;
        return true;
    }
    case BENCH_FILE_U8:
        return bench_file_read_u8(path, dims, count_max, out, err);
    case BENCH_FILE_NPY:
        return bench_file_read_npy(path, dims, count_max, out, err);
    case BENCH_FILE_IVECS:
    case BENCH_FILE_UNKNOWN:
        break;
    }
    return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                      "unknown vector file format \"%s\": expected .fvecs, .bvecs, .u8 or .npy",
                      path);
}

bool bench_file_read_ids(const char *path, uint64_t count_max, bench_ids *out, rt_err *err) {
    memset(out, 0, sizeof *out);
    if (bench_file_kind_of(path) != BENCH_FILE_IVECS) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "ground truth file \"%s\" must be an .ivecs file", path);
    }
    void *data;
    if (!bench_file_read_vecs(path, BENCH_FILE_IVECS, 0, count_max, &out->width, &out->count,
                              &data, err)) {
        return false;
    }
    out->data = data;
    return true;
}

void bench_vectors_free(bench_vectors *vectors) {
    rt_free(vectors->data);
    memset(vectors, 0, sizeof *vectors);
}

void bench_ids_free(bench_ids *ids) {
    rt_free(ids->data);
    memset(ids, 0, sizeof *ids);
}
