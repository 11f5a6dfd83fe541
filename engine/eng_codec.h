/* eng_codec.h: little-endian binary writer and bounds-checked reader for files and WAL
 * records (catalog, checkpoints, row images).
 * Writer: grows with rt_xrealloc; the caller frees w.buf with rt_free.
 * Reader: never reads past the end; the first violation sets `failure` and every later read
 *         returns zero/NULL, so decoders check eng_r_ok() once at the end (XX001 on failure). */
#ifndef ENG_CODEC_H
#define ENG_CODEC_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "runtime/rt_mem.h"

typedef struct eng_codec_w {
    uint8_t *buf;
    uint64_t len, cap;
} eng_codec_w;

static inline void eng_w_init(eng_codec_w *w) {
    w->buf = NULL;
    w->len = w->cap = 0;
}

static inline uint8_t *eng_w_reserve(eng_codec_w *w, uint64_t n) {
    if (w->len + n > w->cap) {
        uint64_t cap = w->cap < 256 ? 256 : w->cap;
        while (cap < w->len + n) cap *= 2;
        w->buf = rt_xrealloc(w->buf, cap);
        w->cap = cap;
    }
    uint8_t *p = w->buf + w->len;
    w->len += n;
    return p;
}

static inline void eng_w_raw(eng_codec_w *w, const void *p, uint64_t n) {
    if (n > 0) memcpy(eng_w_reserve(w, n), p, n);
}
static inline void eng_w_u8(eng_codec_w *w, uint8_t v) { *eng_w_reserve(w, 1) = v; }
static inline void eng_w_u32(eng_codec_w *w, uint32_t v) { eng_w_raw(w, &v, 4); }
static inline void eng_w_u64(eng_codec_w *w, uint64_t v) { eng_w_raw(w, &v, 8); }
static inline void eng_w_bytes(eng_codec_w *w, const void *p, uint32_t n) {
    eng_w_u32(w, n);
    eng_w_raw(w, p, n);
}
static inline void eng_w_str(eng_codec_w *w, const char *s) {
    eng_w_bytes(w, s, (uint32_t)strlen(s));
}
/* A string that may be NULL: length UINT32_MAX encodes NULL. */
static inline void eng_w_opt_str(eng_codec_w *w, const char *s) {
    if (s == NULL) {
        eng_w_u32(w, UINT32_MAX);
    } else {
        eng_w_str(w, s);
    }
}

typedef struct eng_codec_r {
    const uint8_t *buf;
    uint64_t len, pos;
    const char *failure;
    char scratch[4096]; /* NUL-terminated copies of strings */
    char *big;          /* longer strings: malloc'd, freed on the next string read */
} eng_codec_r;

static inline void eng_r_init(eng_codec_r *r, const void *buf, uint64_t len) {
    r->buf = buf;
    r->len = len;
    r->pos = 0;
    r->failure = NULL;
    r->big = NULL;
}
static inline bool eng_r_ok(const eng_codec_r *r) { return r->failure == NULL; }
static inline void eng_r_fail(eng_codec_r *r, const char *why) {
    if (r->failure == NULL) r->failure = why;
}
static inline void eng_r_done(eng_codec_r *r) {
    rt_free(r->big);
    r->big = NULL;
}
static inline const uint8_t *eng_r_raw(eng_codec_r *r, uint64_t n) {
    if (r->failure != NULL || n > r->len - r->pos) {
        eng_r_fail(r, "truncated data");
        return NULL;
    }
    const uint8_t *p = r->buf + r->pos;
    r->pos += n;
    return p;
}
static inline uint8_t eng_r_u8(eng_codec_r *r) {
    const uint8_t *p = eng_r_raw(r, 1);
    return p != NULL ? *p : 0;
}
static inline uint32_t eng_r_u32(eng_codec_r *r) {
    uint32_t v = 0;
    const uint8_t *p = eng_r_raw(r, 4);
    if (p != NULL) memcpy(&v, p, 4);
    return v;
}
static inline uint64_t eng_r_u64(eng_codec_r *r) {
    uint64_t v = 0;
    const uint8_t *p = eng_r_raw(r, 8);
    if (p != NULL) memcpy(&v, p, 8);
    return v;
}
/* A count that must not exceed `max` (guards allocations sized from untrusted data). */
static inline uint32_t eng_r_count(eng_codec_r *r, uint32_t max) {
    uint32_t n = eng_r_u32(r);
    if (n > max) {
        eng_r_fail(r, "count out of range");
        return 0;
    }
    return n;
}
static inline const uint8_t *eng_r_bytes(eng_codec_r *r, uint32_t *n) {
    *n = eng_r_u32(r);
    const uint8_t *p = eng_r_raw(r, *n);
    if (p == NULL) *n = 0;
    return p;
}
static inline const char *eng_r_str_len(eng_codec_r *r, uint32_t n) {
    const uint8_t *p = eng_r_raw(r, n);
    if (p == NULL) return NULL;
    char *dst = r->scratch;
    if (n >= sizeof r->scratch) {
        rt_free(r->big);
        r->big = rt_xmalloc(n + 1u);
        dst = r->big;
    }
    memcpy(dst, p, n);
    dst[n] = '\0';
    return dst;
}
/* The returned string is valid until the next string read. */
static inline const char *eng_r_str(eng_codec_r *r) { return eng_r_str_len(r, eng_r_u32(r)); }
static inline const char *eng_r_opt_str(eng_codec_r *r) {
    uint32_t n = eng_r_u32(r);
    if (n == UINT32_MAX) return NULL;
    return eng_r_str_len(r, n);
}

#endif
