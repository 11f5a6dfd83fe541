/* test_rt_arena.c: the per-query arena and the error type.
 * How: direct calls on the main thread; checks alignment, that allocations do not overlap,
 * that big blocks work, that the budget gives 53200 instead of crashing, and reset; that an
 * arena created after others were destroyed (the thread keeps some for reuse) starts clean
 * with its own budget, also on a thread that ends with arenas kept. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/rt_err.h"
#include "runtime/rt_mem.h"

static void test_rt_arena_alloc_aligned_and_disjoint(void **state) {
    rt_arena *a = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    unsigned char *prev = NULL;
    size_t prev_size = 0;
    for (size_t i = 1; i < 5000; i++) {
        size_t size = (i * 37) % 700 + 1;
        unsigned char *p = rt_arena_alloc(a, size);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, (int)(i & 0xff), size);
        if (prev != NULL) assert_int_equal(prev[prev_size - 1], (unsigned char)((i - 1) & 0xff));
        prev = p;
        prev_size = size;
    }
    char *s = rt_arena_sprintf(a, "%s-%d", "row", 42);
    assert_string_equal(s, "row-42");
    assert_string_equal(rt_arena_strndup(a, "abcdef", 3), "abc");
    rt_arena_destroy(a);
}

static void test_rt_arena_big_blocks_and_grow(void **state) {
    rt_arena *a = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    char *small = rt_arena_alloc(a, 10);
    memcpy(small, "123456789", 10);
    char *big = rt_arena_alloc(a, 10u << 20); /* bigger than a chunk: its own block */
    assert_non_null(big);
    memset(big, 'x', 10u << 20);
    char *after = rt_arena_alloc(a, 10); /* bumping continues in the current chunk */
    assert_non_null(after);
    assert_string_equal(small, "123456789");
    int *arr = rt_arena_alloc(a, 4 * sizeof(int));
    for (int i = 0; i < 4; i++) arr[i] = i;
    arr = rt_arena_grow(a, arr, 4 * sizeof(int), 1000 * sizeof(int));
    for (int i = 0; i < 4; i++) assert_int_equal(arr[i], i);
    rt_arena_destroy(a);
}

static void test_rt_arena_budget_gives_out_of_memory(void **state) {
    rt_arena *a = rt_arena_create(1u << 20);
    size_t total = 0;
    void *p;
    while ((p = rt_arena_alloc(a, 1000)) != NULL) total += 1000;
    assert_true(total > 900u * 1024u);
    assert_true(total <= 1u << 20);
    const rt_err *e = rt_arena_error(a);
    assert_non_null(e);
    assert_string_equal(e->sqlstate, "53200");
    rt_err err;
    rt_err_clear(&err);
    assert_false(rt_arena_fail(a, &err));
    assert_string_equal(err.sqlstate, "53200");
    rt_arena_reset(a); /* a reset arena serves again and has no error */
    assert_null(rt_arena_error(a));
    assert_non_null(rt_arena_alloc(a, 1000));
    assert_true(rt_arena_used_bytes(a) <= RT_ARENA_CHUNK_BYTES);
    rt_arena_destroy(a);
}

/* Destroys arenas that failed on their budget, then checks new ones start empty and error-free. */
static void *arena_reuse_round(void *unused) {
    (void)unused;
    for (int round = 0; round < 3; round++) {
        rt_arena *used[12];
        for (int i = 0; i < 12; i++) {
            used[i] = rt_arena_create(256u * 1024u);
            while (rt_arena_alloc(used[i], 10000) != NULL) {
            }
            assert_non_null(rt_arena_error(used[i]));
        }
        for (int i = 0; i < 12; i++) rt_arena_destroy(used[i]);
        rt_arena *a = rt_arena_create(1u << 20);
        assert_null(rt_arena_error(a));
        assert_true(rt_arena_used_bytes(a) <= 64u * 1024u);
        size_t got = 0;
        while (rt_arena_alloc(a, 10000) != NULL) got += 10000;
        assert_true(got > 512u * 1024u); /* the new budget, not the old 256 KiB */
        assert_non_null(rt_arena_error(a));
        rt_arena_destroy(a);
    }
    return NULL;
}

static void test_rt_arena_reused_after_destroy_starts_clean(void **state) {
    (void)state;
    arena_reuse_round(NULL);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, arena_reuse_round, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
}

static void test_rt_err_set_formats_and_names(void **state) {
    rt_err err;
    rt_err_clear(&err);
    assert_false(rt_err_is_set(&err));
    assert_false(rt_err_set(&err, SQLSTATE_UNIQUE_VIOLATION, "duplicate key value violates "
                            "unique constraint \"%s\"", "t_pkey"));
    assert_true(rt_err_is_set(&err));
    assert_true(rt_err_is(&err, "23505"));
    assert_string_equal(err.message, "duplicate key value violates unique constraint \"t_pkey\"");
    assert_string_equal(rt_err_condition_name("23505"), "unique_violation");
    assert_null(rt_err_condition_name("ZZ999"));
    rt_err io;
    rt_err_clear(&io);
    rt_err_from_errno(&io, 28, "could not write \"%s\"", "f");
    assert_string_equal(io.sqlstate, "53100"); /* ENOSPC is disk_full */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rt_arena_alloc_aligned_and_disjoint),
        cmocka_unit_test(test_rt_arena_big_blocks_and_grow),
        cmocka_unit_test(test_rt_arena_budget_gives_out_of_memory),
        cmocka_unit_test(test_rt_arena_reused_after_destroy_starts_clean),
        cmocka_unit_test(test_rt_err_set_formats_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
