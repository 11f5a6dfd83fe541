/* sql_strbuf.h: a growable byte buffer in an arena, for building text output and messages.
 * Growth failure (arena budget) is sticky: `failed` is set, appends become no-ops, and the
 * caller reports the arena's 53200 once at the end. */
#ifndef SQL_STRBUF_H
#define SQL_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "runtime/rt_mem.h"

typedef struct sql_strbuf {
    rt_arena *arena;
    char *data;
    uint32_t len, cap;
    bool failed;
} sql_strbuf;

void sql_strbuf_init(sql_strbuf *sb, rt_arena *arena, uint32_t initial_cap);
bool sql_strbuf_reserve(sql_strbuf *sb, uint32_t extra);
void sql_strbuf_append(sql_strbuf *sb, const void *p, uint32_t n);
void sql_strbuf_printf(sql_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* `name` as a quoted identifier ("a""b"), always quoted: for SQL text the server generates
 * and runs itself, where the name must read back exactly as it is. */
void sql_strbuf_put_ident(sql_strbuf *sb, const char *name);

static inline void sql_strbuf_putc(sql_strbuf *sb, char c) {
    if (sb->len + 1 <= sb->cap || sql_strbuf_reserve(sb, 1)) sb->data[sb->len++] = c;
}
static inline void sql_strbuf_puts(sql_strbuf *sb, const char *s) {
    sql_strbuf_append(sb, s, (uint32_t)strlen(s));
}
static inline void sql_strbuf_reset(sql_strbuf *sb) { sb->len = 0; }

#endif
