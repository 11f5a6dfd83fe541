/* sql_strbuf.c: arena-backed growable buffer. */
#include "sql/sql_strbuf.h"

#include <stdio.h>

void sql_strbuf_init(sql_strbuf *sb, rt_arena *arena, uint32_t initial_cap) {
    sb->arena = arena;
    sb->len = 0;
    sb->failed = false;
    sb->cap = initial_cap > 0 ? initial_cap : 64;
    sb->data = rt_arena_alloc(arena, sb->cap);
    if (sb->data == NULL) {
        sb->failed = true;
        sb->cap = 0;
    }
}

bool sql_strbuf_reserve(sql_strbuf *sb, uint32_t extra) {
    if (sb->failed) return false;
    if (sb->len + extra <= sb->cap) return true;
    uint64_t cap = sb->cap < 64 ? 64 : sb->cap;
    while (cap < (uint64_t)sb->len + extra) cap *= 2;
    if (cap > UINT32_MAX) {
        sb->failed = true;
        return false;
    }
    char *p = rt_arena_grow(sb->arena, sb->data, sb->len, cap);
    if (p == NULL) {
        sb->failed = true;
        return false;
    }
    sb->data = p;
    sb->cap = (uint32_t)cap;
    return true;
}

void sql_strbuf_append(sql_strbuf *sb, const void *p, uint32_t n) {
    if (n == 0 || !sql_strbuf_reserve(sb, n)) return;
    memcpy(sb->data + sb->len, p, n);
    sb->len += n;
}

void sql_strbuf_printf(sql_strbuf *sb, const char *fmt, ...) {
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        sql_strbuf_append(sb, small, (uint32_t)n);
        return;
    }
    if (!sql_strbuf_reserve(sb, (uint32_t)n + 1)) return;
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (uint32_t)n;
}

void sql_strbuf_put_ident(sql_strbuf *sb, const char *name) {
    sql_strbuf_putc(sb, '"');
    for (const char *p = name; *p != '\0'; p++) {
        if (*p == '"') sql_strbuf_putc(sb, '"');
        sql_strbuf_putc(sb, *p);
    }
    sql_strbuf_putc(sb, '"');
}
