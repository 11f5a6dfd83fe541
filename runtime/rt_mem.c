/* rt_mem.c: allocator wrappers and the chunked bump arena. */
#include "runtime/rt_mem.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_log.h"

#ifndef DB_SANITIZE
#include <mimalloc.h>
#define RT_SYS_MALLOC mi_malloc
#define RT_SYS_CALLOC mi_calloc
#define RT_SYS_REALLOC mi_realloc
#define RT_SYS_FREE mi_free
#else
#define RT_SYS_MALLOC malloc
#define RT_SYS_CALLOC calloc
#define RT_SYS_REALLOC realloc
#define RT_SYS_FREE free
#endif

void *rt_malloc(size_t size) { return RT_SYS_MALLOC(size); }
void *rt_calloc(size_t count, size_t size) { return RT_SYS_CALLOC(count, size); }
void *rt_realloc(void *ptr, size_t size) { return RT_SYS_REALLOC(ptr, size); }
void rt_free(void *ptr) { RT_SYS_FREE(ptr); }

char *rt_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = rt_xmalloc(n);
    memcpy(p, s, n);
    return p;
}

static _Noreturn void rt_mem_exhausted(size_t size) {
    rt_log(RT_LOG_FATAL, NULL, "out of memory allocating %zu bytes", size);
    abort();
}

void *rt_xmalloc(size_t size) {
    void *p = RT_SYS_MALLOC(size == 0 ? 1 : size);
    if (p == NULL) rt_mem_exhausted(size);
    return p;
}

void *rt_xcalloc(size_t count, size_t size) {
    void *p = RT_SYS_CALLOC(count == 0 ? 1 : count, size == 0 ? 1 : size);
    if (p == NULL) rt_mem_exhausted(count * size);
    return p;
}

void *rt_xrealloc(void *ptr, size_t size) {
    void *p = RT_SYS_REALLOC(ptr, size == 0 ? 1 : size);
    if (p == NULL) rt_mem_exhausted(size);
    return p;
}

void *rt_malloc_aligned(size_t size, size_t align) {
#ifndef DB_SANITIZE
    void *p = mi_malloc_aligned(size == 0 ? align : size, align);
    if (p == NULL) rt_mem_exhausted(size);
#else
    void *p = NULL;
    if (posix_memalign(&p, align, size == 0 ? align : size) != 0) rt_mem_exhausted(size);
#endif
    return p;
}

void rt_free_aligned(void *ptr) { RT_SYS_FREE(ptr); }

/* ---- arena ---- */

typedef struct rt_arena_chunk {
    struct rt_arena_chunk *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    _Alignas(16) unsigned char data[];
} rt_arena_chunk;

struct rt_arena {
    struct rt_arena *cached_next; /* in this thread's cache of destroyed arenas */
    rt_arena_chunk *head;  /* current chunk (bump from here) */
    rt_arena_chunk *first; /* kept across rt_arena_reset() */
    size_t budget_bytes;
    size_t used_bytes; /* bytes of all chunks, the budget's measure */
    pthread_t owner;
    rt_err err;
};

static rt_arena_chunk *rt_arena_chunk_new(size_t size) {
    rt_arena_chunk *c = rt_xmalloc(sizeof *c + size);
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

static void rt_arena_free_chunks(rt_arena_chunk *c, rt_arena_chunk *keep) {
    while (c != NULL) {
        rt_arena_chunk *next = c->next;
        if (c != keep) rt_free(c);
        c = next;
    }
}

/* Destroyed arenas a thread keeps, with their first chunk, for its next rt_arena_create: a
 * point query creates and destroys several (portal, operators, fragments), and a fresh one
 * costs a zeroed header and a 64 KiB allocation. The sessions a shard interleaves hold several
 * each at once: with 8 kept, a third of the creations under pgbench -S -c 32 still allocated;
 * 32 (2 MiB per thread at most) cover them. Off under the sanitizers, which should see every
 * arena's lifetime. */
#define RT_ARENA_CACHE_MAX 32u

typedef struct rt_arena_cache {
    rt_arena *head;
    uint32_t count;
    bool registered; /* the key's destructor will free the cache when the thread ends */
} rt_arena_cache;

#ifndef DB_SANITIZE
static _Thread_local rt_arena_cache rt_arena_cached;
static pthread_key_t rt_arena_cache_key;
static pthread_once_t rt_arena_cache_once = PTHREAD_ONCE_INIT;

static void rt_arena_cache_drain(void *unused) {
    (void)unused;
    while (rt_arena_cached.head != NULL) {
        rt_arena *a = rt_arena_cached.head;
        rt_arena_cached.head = a->cached_next;
        rt_arena_free_chunks(a->head, NULL);
        rt_free(a);
    }
    rt_arena_cached.count = 0;
}

static void rt_arena_cache_key_make(void) {
    if (pthread_key_create(&rt_arena_cache_key, rt_arena_cache_drain) != 0) {
        rt_log(RT_LOG_FATAL, NULL, "could not create the arena cache key");
        abort();
    }
}

static rt_arena *rt_arena_cache_take(void) {
    rt_arena *a = rt_arena_cached.head;
    if (a != NULL) {
        rt_arena_cached.head = a->cached_next;
        rt_arena_cached.count--;
    }
    return a;
}

static bool rt_arena_cache_put(rt_arena *arena) {
    if (rt_arena_cached.count >= RT_ARENA_CACHE_MAX) return false;
    if (!rt_arena_cached.registered) {
        pthread_once(&rt_arena_cache_once, rt_arena_cache_key_make);
        if (pthread_setspecific(rt_arena_cache_key, &rt_arena_cached) != 0) return false;
        rt_arena_cached.registered = true;
    }
    rt_arena_reset(arena);
    arena->cached_next = rt_arena_cached.head;
    rt_arena_cached.head = arena;
    rt_arena_cached.count++;
    return true;
}
#else
static rt_arena *rt_arena_cache_take(void) { return NULL; }
static bool rt_arena_cache_put(rt_arena *arena) {
    (void)arena;
    return false;
}
#endif

rt_arena *rt_arena_create(size_t budget_bytes) {
    rt_arena *a = rt_arena_cache_take();
    if (a != NULL) { /* reset when it was cached: one chunk, nothing used, no error */
        a->budget_bytes = budget_bytes;
        return a;
    }
    a = rt_xcalloc(1, sizeof *a);
    a->budget_bytes = budget_bytes;
    a->first = a->head = rt_arena_chunk_new(RT_ARENA_CHUNK_BYTES);
    a->used_bytes = RT_ARENA_CHUNK_BYTES;
    a->owner = pthread_self();
    rt_err_clear(&a->err);
    return a;
}

void rt_arena_destroy(rt_arena *arena) {
    if (arena == NULL) return;
    RT_ASSERT(pthread_equal(arena->owner, pthread_self()));
    if (rt_arena_cache_put(arena)) return;
    rt_arena_free_chunks(arena->head, NULL);
    rt_free(arena);
}

void rt_arena_reset(rt_arena *arena) {
    RT_ASSERT(pthread_equal(arena->owner, pthread_self()));
    rt_arena_free_chunks(arena->head, arena->first);
    arena->first->next = NULL;
    arena->first->used = 0;
    arena->head = arena->first;
    arena->used_bytes = arena->first->size;
    rt_err_clear(&arena->err);
}

void *rt_arena_alloc(rt_arena *arena, size_t size) {
    RT_ASSERT(pthread_equal(arena->owner, pthread_self()));
    size = (size + 15) & ~(size_t)15;
    if (size == 0) size = 16;
    rt_arena_chunk *c = arena->head;
    if (c->used + size <= c->size) {
        void *p = c->data + c->used;
        c->used += size;
        return p;
    }
    size_t chunk = size > RT_ARENA_CHUNK_BYTES / 4 ? size : RT_ARENA_CHUNK_BYTES;
    if (arena->used_bytes + chunk > arena->budget_bytes) {
        if (!rt_err_is_set(&arena->err)) {
            rt_err_set(&arena->err, SQLSTATE_OUT_OF_MEMORY, "out of memory");
            rt_err_detail(&arena->err, "Failed on request of size %zu in a query whose memory "
                          "budget is %zu bytes.", size, arena->budget_bytes);
        }
        return NULL;
    }
    rt_arena_chunk *n = rt_arena_chunk_new(chunk);
    arena->used_bytes += chunk;
    if (chunk == RT_ARENA_CHUNK_BYTES) {
        n->next = c; /* becomes the bump chunk */
        arena->head = n;
    } else {
        /* A big block gets its own chunk, linked behind the current one so bumping goes on. */
        n->next = c->next;
        c->next = n;
    }
    n->used = size;
    return n->data;
}

void *rt_arena_zalloc(rt_arena *arena, size_t size) {
    void *p = rt_arena_alloc(arena, size);
    if (p != NULL) memset(p, 0, size);
    return p;
}

char *rt_arena_strndup(rt_arena *arena, const char *s, size_t len) {
    char *p = rt_arena_alloc(arena, len + 1);
    if (p == NULL) return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *rt_arena_strdup(rt_arena *arena, const char *s) {
    return rt_arena_strndup(arena, s, strlen(s));
}

char *rt_arena_sprintf(rt_arena *arena, const char *fmt, ...) {
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = n < 0 ? NULL : rt_arena_alloc(arena, (size_t)n + 1);
    if (p != NULL) vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void *rt_arena_grow(rt_arena *arena, void *old, size_t old_size, size_t new_size) {
    RT_ASSERT(new_size >= old_size);
    void *p = rt_arena_alloc(arena, new_size);
    if (p != NULL && old_size > 0) memcpy(p, old, old_size);
    return p;
}

size_t rt_arena_used_bytes(const rt_arena *arena) { return arena->used_bytes; }

const rt_err *rt_arena_error(const rt_arena *arena) {
    return rt_err_is_set(&arena->err) ? &arena->err : NULL;
}

bool rt_arena_fail(const rt_arena *arena, rt_err *err) {
    if (rt_err_is_set(&arena->err) && !rt_err_is_set(err)) *err = arena->err;
    return false;
}
