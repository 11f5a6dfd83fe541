/* rt_mem.h: the allocator and the per-query arena.
 * Allocator: mimalloc (rt_malloc & co.); sanitizer builds use libc so ASan sees every block.
 * Arena:     bump allocation in chunks, freed all at once by rt_arena_destroy(); bounded by a
 *            byte budget: past it rt_arena_alloc() returns NULL and the arena remembers a
 *            53200 out_of_memory error for the caller to report (rt_arena_error()).
 * Core:      an arena is used on the core that created it only (asserted).
 * Memory:    nothing inside an arena is freed one by one. */
#ifndef RT_MEM_H
#define RT_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/rt_err.h"

void *rt_malloc(size_t size);
void *rt_calloc(size_t count, size_t size);
void *rt_realloc(void *ptr, size_t size);
void rt_free(void *ptr);
char *rt_strdup(const char *s);
/* Allocation failure of long-lived memory is not recoverable: these abort with a log line. */
void *rt_xmalloc(size_t size);
void *rt_xcalloc(size_t count, size_t size);
void *rt_xrealloc(void *ptr, size_t size);
/* Memory aligned to `align` (a power of two); free with rt_free_aligned(). */
void *rt_malloc_aligned(size_t size, size_t align);
void rt_free_aligned(void *ptr);

typedef struct rt_arena rt_arena;

/* An arena allowed to hold up to `budget_bytes` (RT_QUERY_ARENA_BYTES_MAX for queries). */
rt_arena *rt_arena_create(size_t budget_bytes);
void rt_arena_destroy(rt_arena *arena);
/* Frees everything allocated so far but keeps the arena (and its first chunk) for reuse. */
void rt_arena_reset(rt_arena *arena);

/* 16-byte aligned; NULL past the budget (then rt_arena_error() is set). */
void *rt_arena_alloc(rt_arena *arena, size_t size);
void *rt_arena_zalloc(rt_arena *arena, size_t size);
char *rt_arena_strdup(rt_arena *arena, const char *s);
char *rt_arena_strndup(rt_arena *arena, const char *s, size_t len);
char *rt_arena_sprintf(rt_arena *arena, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Grows an array allocated in the arena (old contents copied; the old block is not freed). */
void *rt_arena_grow(rt_arena *arena, void *old, size_t old_size, size_t new_size);

size_t rt_arena_used_bytes(const rt_arena *arena);
/* The out_of_memory error if the budget was exceeded, else NULL. */
const rt_err *rt_arena_error(const rt_arena *arena);
/* Copies the arena's error into *err (if any) and returns false; for `return` chains. */
bool rt_arena_fail(const rt_arena *arena, rt_err *err);

#endif
