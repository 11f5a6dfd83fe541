/* test_eng_btree.c: the in-memory B+tree.
 * How: random insert/replace/delete sequences are mirrored in a simple sorted array model;
 * after each phase the tree's lookups, ordered iteration and structure check must agree with
 * the model. Iterators are checked to survive modifications between steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/eng_btree.h"
#include "runtime/rt_mem.h"

#define MODEL_MAX 60000

typedef struct model_entry {
    char key[24];
    uint32_t len;
    uint64_t value;
    bool live;
} model_entry;

static int model_cmp(const void *a, const void *b) {
    const model_entry *x = a, *y = b;
    uint32_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->key, y->key, n);
    if (c != 0) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

static uint32_t make_key(char *out, uint32_t k) {
    /* Variable-length keys with shared prefixes, like encoded composite keys. */
    return (uint32_t)snprintf(out, 24, "k%u/%u", k % 97, k);
}

static void test_eng_btree_random_against_model(void **state) {
    eng_btree *t = eng_btree_create();
    static model_entry model[MODEL_MAX];
    memset(model, 0, sizeof model);
    rt_err err;
    rt_err_clear(&err);
    srand(7);
    uint64_t live = 0;
    for (int round = 0; round < 200000; round++) {
        uint32_t k = (uint32_t)rand() % MODEL_MAX;
        model_entry *m = &model[k];
        if (m->len == 0) m->len = make_key(m->key, k);
        if (rand() % 3 != 0) {
            bool replaced;
            uint64_t v = (uint64_t)rand() << 20 | k;
            assert_true(eng_btree_put(t, (uint8_t *)m->key, m->len, v, &replaced, &err));
            assert_int_equal(replaced, m->live);
            if (!m->live) live++;
            m->live = true;
            m->value = v;
        } else {
            assert_int_equal(eng_btree_delete(t, (uint8_t *)m->key, m->len), m->live);
            if (m->live) live--;
            m->live = false;
        }
    }
    assert_int_equal(eng_btree_count(t), live);
    assert_true(eng_btree_check(t));
    for (uint32_t k = 0; k < MODEL_MAX; k++) {
        uint64_t v;
        if (model[k].len == 0) continue;
        bool found = eng_btree_get(t, (uint8_t *)model[k].key, model[k].len, &v);
        assert_int_equal(found, model[k].live);
        if (found) assert_int_equal(v, model[k].value);
    }
    /* Ordered iteration equals the sorted live model. */
    qsort(model, MODEL_MAX, sizeof model[0], model_cmp);
    eng_btree_iter it;
    eng_btree_seek(&it, t, NULL, 0, true);
    const uint8_t *key;
    uint32_t len;
    uint64_t v;
    uint32_t mi = 0;
    while (eng_btree_next(&it, &key, &len, &v)) {
        while (mi < MODEL_MAX && !model[mi].live) mi++;
        assert_true(mi < MODEL_MAX);
        assert_int_equal(len, model[mi].len);
        assert_memory_equal(key, model[mi].key, len);
        assert_int_equal(v, model[mi].value);
        mi++;
    }
    while (mi < MODEL_MAX && !model[mi].live) mi++;
    assert_int_equal(mi, MODEL_MAX);
    eng_btree_destroy(t);
}

static void test_eng_btree_delete_everything_then_reuse(void **state) {
    eng_btree *t = eng_btree_create();
    rt_err err;
    rt_err_clear(&err);
    uint8_t key[8];
    for (uint32_t i = 0; i < 50000; i++) {
        uint32_t be = __builtin_bswap32(i);
        memcpy(key, &be, 4);
        assert_true(eng_btree_put(t, key, 4, i, NULL, &err));
    }
    for (uint32_t i = 0; i < 50000; i++) {
        uint32_t be = __builtin_bswap32(i);
        memcpy(key, &be, 4);
        assert_true(eng_btree_delete(t, key, 4));
    }
    assert_int_equal(eng_btree_count(t), 0);
    assert_true(eng_btree_check(t));
    eng_btree_iter it;
    eng_btree_seek(&it, t, NULL, 0, true);
    const uint8_t *k;
    uint32_t len;
    uint64_t v;
    assert_false(eng_btree_next(&it, &k, &len, &v));
    for (uint32_t i = 0; i < 1000; i++) {
        uint32_t be = __builtin_bswap32(i * 7);
        memcpy(key, &be, 4);
        assert_true(eng_btree_put(t, key, 4, i, NULL, &err));
    }
    assert_int_equal(eng_btree_count(t), 1000);
    assert_true(eng_btree_check(t));
    eng_btree_destroy(t);
}

static void test_eng_btree_iterator_survives_changes(void **state) {
    eng_btree *t = eng_btree_create();
    rt_err err;
    rt_err_clear(&err);
    uint8_t key[4];
    for (uint32_t i = 0; i < 10000; i += 2) { /* even keys */
        uint32_t be = __builtin_bswap32(i);
        memcpy(key, &be, 4);
        assert_true(eng_btree_put(t, key, 4, i, NULL, &err));
    }
    uint32_t from = __builtin_bswap32(100);
    eng_btree_iter it;
    eng_btree_seek(&it, t, (uint8_t *)&from, 4, false); /* strictly after 100 */
    const uint8_t *k;
    uint32_t len;
    uint64_t v;
    uint64_t expect = 102;
    uint32_t steps = 0;
    while (eng_btree_next(&it, &k, &len, &v)) {
        assert_int_equal(v, expect);
        /* Between steps: delete the next key and insert odd keys behind and ahead. */
        uint32_t be = __builtin_bswap32((uint32_t)v + 2);
        memcpy(key, &be, 4);
        eng_btree_delete(t, key, 4);
        be = __builtin_bswap32((uint32_t)v - 1); /* behind the iterator: not returned */
        memcpy(key, &be, 4);
        assert_true(eng_btree_put(t, key, 4, v - 1, NULL, &err));
        expect = v + 4;
        steps++;
    }
    assert_true(steps > 2000);
    assert_true(eng_btree_check(t));
    eng_btree_destroy(t);
}

/* Keys of 0..40 bytes over the bytes 0, 1 and 255: zero bytes against shorter keys, prefixes
 * of one another, keys that differ only past their 16th byte. The tree keeps the first bytes
 * of each key beside it, so this checks the order at and around that boundary. */
#define EDGE_KEYS 3000
#define EDGE_KEY_BYTES 40

typedef struct edge_entry {
    uint8_t key[EDGE_KEY_BYTES];
    uint32_t len;
} edge_entry;

static int edge_entry_cmp(const void *a, const void *b) {
    const edge_entry *x = a, *y = b;
    uint32_t n = x->len < y->len ? x->len : y->len;
    int c = n > 0 ? memcmp(x->key, y->key, n) : 0;
    if (c != 0) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

static void test_eng_btree_keys_around_head_bytes(void **state) {
    static const uint8_t alphabet[3] = {0, 1, 255};
    static edge_entry keys[EDGE_KEYS];
    eng_btree *t = eng_btree_create();
    rt_err err;
    rt_err_clear(&err);
    srand(11);
    uint32_t n = 0;
    for (uint32_t i = 0; i < EDGE_KEYS; i++) {
        edge_entry *e = &keys[n];
        e->len = (uint32_t)rand() % (EDGE_KEY_BYTES + 1);
        /* Mostly zeros before byte 16, so many keys share their head and differ after it. */
        for (uint32_t b = 0; b < e->len; b++) e->key[b] = alphabet[rand() % (b < 14 ? 2 : 3)];
        bool replaced;
        assert_true(eng_btree_put(t, e->key, e->len, i, &replaced, &err));
        if (!replaced) n++;
    }
    assert_int_equal(eng_btree_count(t), n);
    assert_true(eng_btree_check(t));
    qsort(keys, n, sizeof keys[0], edge_entry_cmp);
    eng_btree_iter it;
    eng_btree_seek(&it, t, NULL, 0, true);
    const uint8_t *key;
    uint32_t len;
    uint64_t v;
    for (uint32_t i = 0; i < n; i++) {
        assert_true(eng_btree_next(&it, &key, &len, &v));
        assert_int_equal(len, keys[i].len);
        if (len > 0) assert_memory_equal(key, keys[i].key, len);
        assert_true(eng_btree_get(t, keys[i].key, keys[i].len, &v));
        /* A seek past a key lands on the next one. */
        eng_btree_iter at;
        eng_btree_seek(&at, t, keys[i].key, keys[i].len, false);
        bool more = eng_btree_next(&at, &key, &len, &v);
        assert_int_equal(more, i + 1 < n);
        if (more) {
            assert_int_equal(len, keys[i + 1].len);
            if (len > 0) assert_memory_equal(key, keys[i + 1].key, len);
        }
    }
    assert_false(eng_btree_next(&it, &key, &len, &v));
    eng_btree_destroy(t);
}

static void test_eng_btree_key_limit(void **state) {
    eng_btree *t = eng_btree_create();
    rt_err err;
    rt_err_clear(&err);
    static uint8_t big[ENG_BTREE_KEY_BYTES_MAX + 1];
    assert_true(eng_btree_put(t, big, ENG_BTREE_KEY_BYTES_MAX, 1, NULL, &err));
    assert_false(eng_btree_put(t, big, ENG_BTREE_KEY_BYTES_MAX + 1, 1, NULL, &err));
    assert_string_equal(err.sqlstate, "54000");
    eng_btree_destroy(t);
}

/* A bulk load of n shuffled keys (sorted by eng_btree_sort) equals n puts: every key found,
 * ordered iteration, a valid structure, and inserts and deletes afterwards work. Sizes around
 * one node, one level and two levels of the build's packing. */
static void bulk_check(uint32_t n) {
    eng_btree_entry *e = malloc((n + 1u) * sizeof *e);
    assert_non_null(e);
    for (uint32_t i = 0; i < n; i++) {
        char buf[24];
        uint32_t k = (uint32_t)(((uint64_t)i * 2654435761u) % n); /* a permutation when odd */
        uint32_t len = make_key(buf, n % 2 == 1 ? k : i);
        uint8_t *key = rt_xmalloc(len);
        memcpy(key, buf, len);
        eng_btree_entry_set(&e[i], key, len, (uint64_t)(n % 2 == 1 ? k : i));
    }
    eng_btree_sort(e, n, false);
    eng_btree *t = eng_btree_create();
    eng_btree_load(t, e, n);
    assert_true(eng_btree_check(t));
    assert_int_equal(eng_btree_count(t), n);
    for (uint32_t i = 0; i < n; i++) {
        char buf[24];
        uint32_t len = make_key(buf, i);
        uint64_t v = UINT64_MAX;
        assert_true(eng_btree_get(t, (uint8_t *)buf, len, &v));
        assert_int_equal(v, i);
    }
    eng_btree_iter it;
    eng_btree_seek(&it, t, NULL, 0, true);
    const uint8_t *key, *prev = NULL;
    uint32_t klen, prev_len = 0, seen = 0;
    uint64_t v;
    char last[24];
    while (eng_btree_next(&it, &key, &klen, &v)) {
        if (prev != NULL) {
            uint32_t m = klen < prev_len ? klen : prev_len;
            int c = memcmp(last, key, m);
            assert_true(c < 0 || (c == 0 && prev_len < klen));
        }
        memcpy(last, key, klen);
        prev = (const uint8_t *)last;
        prev_len = klen;
        seen++;
    }
    assert_int_equal(seen, n);
    rt_err err;
    rt_err_clear(&err);
    for (uint32_t i = n; i < n + 500; i++) { /* inserts into packed nodes split them */
        char buf[24];
        uint32_t len = make_key(buf, i);
        assert_true(eng_btree_put(t, (uint8_t *)buf, len, i, NULL, &err));
    }
    for (uint32_t i = 0; i < n; i += 2) {
        char buf[24];
        uint32_t len = make_key(buf, i);
        assert_true(eng_btree_delete(t, (uint8_t *)buf, len));
    }
    assert_true(eng_btree_check(t));
    assert_int_equal(eng_btree_count(t), n + 500 - (n + 1) / 2);
    eng_btree_destroy(t);
    free(e);
}

static void test_eng_btree_bulk_load(void **state) {
    (void)state;
    static const uint32_t sizes[] = {1, 2, 57, 58, 59, 117, 3363, 3364, 3423, 3481, 59999,
                                     200001};
    for (uint32_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) bulk_check(sizes[i]);
}

/* eng_btree_sort with `by_value` orders equal keys by value; keys longer than the cached head
 * bytes compare on their tails. */
static void test_eng_btree_sort_ties_and_tails(void **state) {
    (void)state;
    static const char *keys[] = {"same-prefix-0123456789-b", "same-prefix-0123456789-a", "x",
                                 "x", "same-prefix-0123456789-a", ""};
    static const uint64_t values[] = {1, 9, 4, 3, 2, 7};
    eng_btree_entry e[6];
    for (uint32_t i = 0; i < 6; i++) {
        uint32_t len = (uint32_t)strlen(keys[i]);
        uint8_t *k = rt_xmalloc(len + 1u);
        memcpy(k, keys[i], len);
        eng_btree_entry_set(&e[i], k, len, values[i]);
    }
    eng_btree_sort(e, 6, true);
    static const char *want_keys[] = {"", "same-prefix-0123456789-a", "same-prefix-0123456789-a",
                                      "same-prefix-0123456789-b", "x", "x"};
    static const uint64_t want_values[] = {7, 2, 9, 1, 3, 4};
    for (uint32_t i = 0; i < 6; i++) {
        assert_int_equal(e[i].len, strlen(want_keys[i]));
        assert_memory_equal(e[i].key, want_keys[i], e[i].len);
        assert_int_equal(e[i].value, want_values[i]);
        rt_free(e[i].key);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eng_btree_random_against_model),
        cmocka_unit_test(test_eng_btree_delete_everything_then_reuse),
        cmocka_unit_test(test_eng_btree_iterator_survives_changes),
        cmocka_unit_test(test_eng_btree_keys_around_head_bytes),
        cmocka_unit_test(test_eng_btree_key_limit),
        cmocka_unit_test(test_eng_btree_bulk_load),
        cmocka_unit_test(test_eng_btree_sort_ties_and_tails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
