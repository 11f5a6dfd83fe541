/* eng_btree.c: B+tree over byte-string keys.
 *
 * Leaves hold (key, value) pairs and are linked both ways; inner nodes hold separator keys
 * (their own copies) and children: every key under children[i+1] is >= keys[i], every key under
 * children[i] is < keys[i]. Nodes split when they overflow ENG_BTREE_FANOUT. Deletion removes
 * empty nodes but does not rebalance half-empty ones: in memory, a little slack costs less than
 * the code and the moves of borrowing; vacuum can rebuild a tree that became sparse. */
#include "engine/eng_btree.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/rt_assert.h"
#include "runtime/rt_mem.h"

#define ENG_BTREE_FANOUT 64u  /* entries per node before a split */
#define ENG_BTREE_DEPTH_MAX 24u /* 64^24 keys: never reached, bounds the path stack */
/* Entries per node of a bulk build: about 90% of the fanout, as PostgreSQL's leaf fillfactor,
 * so the inserts after a build do not split every node at once. */
#define ENG_BTREE_BUILD_FILL 58u
RT_STATIC_ASSERT(ENG_BTREE_BUILD_FILL >= 2 && ENG_BTREE_BUILD_FILL < ENG_BTREE_FANOUT);

/* Bytes of a key kept in its node beside the pointer, as two big-endian words: most compares
 * (every one between keys of 16 bytes or fewer, such as an integer's 9) end on these words
 * without following the pointer or calling memcmp. */
#define BT_HEAD_BYTES 16u

typedef struct bt_key {
    uint64_t head[2]; /* the first BT_HEAD_BYTES bytes, zero-padded */
    uint8_t *ptr;
    uint32_t len;
} bt_key;

/* A key searched for: its head words, computed once per descent. */
typedef struct bt_probe {
    uint64_t head[2];
    const uint8_t *ptr;
    uint32_t len;
} bt_probe;

typedef struct bt_node {
    uint16_t count; /* keys in this node */
    bool leaf;
    struct bt_node *next, *prev; /* leaves only */
    bt_key keys[ENG_BTREE_FANOUT + 1];
    union {
        struct bt_node *children[ENG_BTREE_FANOUT + 2];
        uint64_t values[ENG_BTREE_FANOUT + 1];
    };
} bt_node;

struct eng_btree {
    bt_node *root;
    uint64_t count;
    uint64_t version;
    uint64_t bytes;
};

static int bt_cmp(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen) {
    uint32_t n = alen < blen ? alen : blen;
    int c = n > 0 ? memcmp(a, b, n) : 0;
    if (c != 0) return c;
    return alen < blen ? -1 : alen > blen;
}

static uint64_t bt_be64(const uint8_t *p) {
    uint64_t v = 0;
    for (uint32_t i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}

static void bt_head(uint64_t head[2], const uint8_t *key, uint32_t len) {
    uint8_t buf[BT_HEAD_BYTES] = {0};
    if (len > 0) memcpy(buf, key, len < BT_HEAD_BYTES ? len : BT_HEAD_BYTES);
    head[0] = bt_be64(buf);
    head[1] = bt_be64(buf + 8);
}

static bt_probe bt_probe_of(const uint8_t *key, uint32_t len) {
    bt_probe p = {.ptr = key, .len = len};
    bt_head(p.head, key, len);
    return p;
}

/* bt_cmp's order of two keys given with their head words. Zero padding keeps it: equal heads
 * with one key no longer than the head mean the shorter key is a prefix of the longer, which
 * sorts first. */
static inline int bt_head_cmp(const uint64_t ah[2], const uint8_t *a, uint32_t alen,
                              const uint64_t bh[2], const uint8_t *b, uint32_t blen) {
    if (ah[0] != bh[0]) return ah[0] < bh[0] ? -1 : 1;
    if (ah[1] != bh[1]) return ah[1] < bh[1] ? -1 : 1;
    if (alen <= BT_HEAD_BYTES || blen <= BT_HEAD_BYTES) return alen < blen ? -1 : alen > blen;
    return bt_cmp(a + BT_HEAD_BYTES, alen - BT_HEAD_BYTES, b + BT_HEAD_BYTES, blen - BT_HEAD_BYTES);
}

static int bt_key_cmp(const bt_key *a, const bt_probe *b) {
    return bt_head_cmp(a->head, a->ptr, a->len, b->head, b->ptr, b->len);
}

static bt_node *bt_node_new(eng_btree *tree, bool leaf) {
    bt_node *n = rt_xcalloc(1, sizeof *n);
    n->leaf = leaf;
    tree->bytes += sizeof *n;
    return n;
}

static bt_key bt_key_copy(eng_btree *tree, const uint8_t *key, uint32_t len) {
    bt_key k = {.ptr = rt_xmalloc(len > 0 ? len : 1), .len = len};
    if (len > 0) memcpy(k.ptr, key, len);
    bt_head(k.head, key, len);
    tree->bytes += len;
    return k;
}

static void bt_key_free(eng_btree *tree, bt_key k) {
    tree->bytes -= k.len;
    rt_free(k.ptr);
}

eng_btree *eng_btree_create(void) {
    eng_btree *tree = rt_xcalloc(1, sizeof *tree);
    tree->root = bt_node_new(tree, true);
    return tree;
}

static void bt_node_free(eng_btree *tree, bt_node *n) {
    for (uint32_t i = 0; i < n->count; i++) bt_key_free(tree, n->keys[i]);
    if (!n->leaf) {
        for (uint32_t i = 0; i <= n->count; i++) bt_node_free(tree, n->children[i]);
    }
    rt_free(n);
}

void eng_btree_destroy(eng_btree *tree) {
    if (tree == NULL) return;
    bt_node_free(tree, tree->root);
    rt_free(tree);
}

uint64_t eng_btree_count(const eng_btree *tree) { return tree->count; }
uint64_t eng_btree_bytes(const eng_btree *tree) { return tree->bytes + sizeof *tree; }

/* First index i with keys[i] >= key (leaf) ; *found if equal. */
static uint32_t bt_search(const bt_node *n, const bt_probe *key, bool *found) {
    uint32_t lo = 0, hi = n->count;
    *found = false;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        int c = bt_key_cmp(&n->keys[mid], key);
        if (c < 0) {
            lo = mid + 1;
        } else {
            if (c == 0) *found = true;
            hi = mid;
        }
    }
    return lo;
}

/* Child index to descend into for `key` in an inner node. */
static uint32_t bt_child_index(const bt_node *n, const bt_probe *key) {
    bool found;
    uint32_t i = bt_search(n, key, &found);
    return found ? i + 1 : i;
}

bool eng_btree_get(const eng_btree *tree, const uint8_t *key, uint32_t key_len, uint64_t *value) {
    bt_probe probe = bt_probe_of(key, key_len);
    const bt_node *n = tree->root;
    while (!n->leaf) n = n->children[bt_child_index(n, &probe)];
    bool found;
    uint32_t i = bt_search(n, &probe, &found);
    if (found) *value = n->values[i];
    return found;
}

/* Splits the overflowing node `n` (count == FANOUT + 1); returns the new right sibling and the
 * separator to insert into the parent. */
static bt_node *bt_split(eng_btree *tree, bt_node *n, bt_key *separator) {
    bt_node *right = bt_node_new(tree, n->leaf);
    uint32_t half = n->count / 2;
    if (n->leaf) {
        right->count = (uint16_t)(n->count - half);
        memcpy(right->keys, n->keys + half, right->count * sizeof(bt_key));
        memcpy(right->values, n->values + half, right->count * sizeof(uint64_t));
        n->count = (uint16_t)half;
        *separator = bt_key_copy(tree, right->keys[0].ptr, right->keys[0].len);
        right->next = n->next;
        right->prev = n;
        if (n->next != NULL) n->next->prev = right;
        n->next = right;
        return right;
    }
    /* Inner: the middle key moves up; right gets the keys after it. */
    *separator = n->keys[half];
    right->count = (uint16_t)(n->count - half - 1);
    memcpy(right->keys, n->keys + half + 1, right->count * sizeof(bt_key));
    memcpy(right->children, n->children + half + 1, (right->count + 1u) * sizeof(bt_node *));
    n->count = (uint16_t)half;
    return right;
}

static void bt_insert_at(bt_node *n, uint32_t i, bt_key key, uint64_t value, bt_node *child) {
    memmove(n->keys + i + 1, n->keys + i, (n->count - i) * sizeof(bt_key));
    n->keys[i] = key;
    if (n->leaf) {
        memmove(n->values + i + 1, n->values + i, (n->count - i) * sizeof(uint64_t));
        n->values[i] = value;
    } else {
        memmove(n->children + i + 2, n->children + i + 1, (n->count - i) * sizeof(bt_node *));
        n->children[i + 1] = child;
    }
    n->count++;
}

bool eng_btree_key_fits(uint32_t key_len, rt_err *err) {
    if (key_len <= ENG_BTREE_KEY_BYTES_MAX) return true;
    rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
               "index row size %u exceeds maximum %u for index", key_len, ENG_BTREE_KEY_BYTES_MAX);
    rt_err_hint(err, "Values larger than 1/3 of a buffer page cannot be indexed.");
    return false;
}

bool eng_btree_put(eng_btree *tree, const uint8_t *key, uint32_t key_len, uint64_t value,
                   bool *replaced, rt_err *err) {
    if (!eng_btree_key_fits(key_len, err)) return false;
    bt_probe probe = bt_probe_of(key, key_len);
    bt_node *path[ENG_BTREE_DEPTH_MAX];
    uint32_t depth = 0;
    bt_node *n = tree->root;
    while (!n->leaf) {
        RT_ASSERT(depth < ENG_BTREE_DEPTH_MAX);
        path[depth++] = n;
        n = n->children[bt_child_index(n, &probe)];
    }
    bool found;
    uint32_t i = bt_search(n, &probe, &found);
    if (replaced != NULL) *replaced = found;
    if (found) {
        n->values[i] = value;
        return true;
    }
    tree->version++;
    tree->count++;
    bt_insert_at(n, i, bt_key_copy(tree, key, key_len), value, NULL);
    while (n->count > ENG_BTREE_FANOUT) {
        bt_key sep;
        bt_node *right = bt_split(tree, n, &sep);
        if (depth == 0) {
            bt_node *root = bt_node_new(tree, false);
            root->count = 1;
            root->keys[0] = sep;
            root->children[0] = n;
            root->children[1] = right;
            tree->root = root;
            break;
        }
        bt_node *parent = path[--depth];
        bt_probe sep_probe = bt_probe_of(sep.ptr, sep.len);
        uint32_t at = bt_child_index(parent, &sep_probe);
        bt_insert_at(parent, at, sep, 0, right);
        n = parent;
    }
    return true;
}

/* Removes child `i` of inner node `n` with its separator. */
static void bt_remove_child(eng_btree *tree, bt_node *n, uint32_t i) {
    uint32_t key_index = i > 0 ? i - 1 : 0;
    bt_key_free(tree, n->keys[key_index]);
    memmove(n->keys + key_index, n->keys + key_index + 1,
            (n->count - key_index - 1) * sizeof(bt_key));
    memmove(n->children + i, n->children + i + 1, (n->count - i) * sizeof(bt_node *));
    n->count--;
}

bool eng_btree_delete(eng_btree *tree, const uint8_t *key, uint32_t key_len) {
    bt_node *path[ENG_BTREE_DEPTH_MAX];
    uint32_t slot[ENG_BTREE_DEPTH_MAX];
    uint32_t depth = 0;
    bt_probe probe = bt_probe_of(key, key_len);
    bt_node *n = tree->root;
    while (!n->leaf) {
        path[depth] = n;
        slot[depth] = bt_child_index(n, &probe);
        n = n->children[slot[depth++]];
    }
    bool found;
    uint32_t i = bt_search(n, &probe, &found);
    if (!found) return false;
    tree->version++;
    tree->count--;
    bt_key_free(tree, n->keys[i]);
    memmove(n->keys + i, n->keys + i + 1, (n->count - i - 1) * sizeof(bt_key));
    memmove(n->values + i, n->values + i + 1, (n->count - i - 1) * sizeof(uint64_t));
    n->count--;
    /* Empty nodes leave their parents, bottom-up. An inner node without keys has one child:
     * when that child goes, the inner node is empty as well. */
    bool remove = n->count == 0 && depth > 0;
    while (remove) {
        bt_node *parent = path[--depth];
        if (n->leaf) {
            if (n->prev != NULL) n->prev->next = n->next;
            if (n->next != NULL) n->next->prev = n->prev;
        }
        rt_free(n);
        tree->bytes -= sizeof *n;
        if (parent->count > 0) {
            bt_remove_child(tree, parent, slot[depth]);
            break;
        }
        n = parent;
        remove = depth > 0;
        if (!remove) { /* the root lost its last child: it becomes an empty leaf */
            n->leaf = true;
            n->next = n->prev = NULL;
        }
    }
    /* A root with one child and no key hands over to the child. */
    while (!tree->root->leaf && tree->root->count == 0) {
        bt_node *old = tree->root;
        tree->root = old->children[0];
        rt_free(old);
        tree->bytes -= sizeof *old;
    }
    return true;
}

/* ---- bulk build ---- */

void eng_btree_entry_set(eng_btree_entry *e, uint8_t *key, uint32_t len, uint64_t value) {
    bt_head(e->head, key, len);
    e->key = key;
    e->len = len;
    e->value = value;
}

static int bt_entry_cmp(const void *a, const void *b) {
    const eng_btree_entry *x = a, *y = b;
    return bt_head_cmp(x->head, x->key, x->len, y->head, y->key, y->len);
}

static int bt_entry_cmp_value(const void *a, const void *b) {
    int c = bt_entry_cmp(a, b);
    if (c != 0) return c;
    const eng_btree_entry *x = a, *y = b;
    return x->value < y->value ? -1 : x->value > y->value;
}

void eng_btree_sort(eng_btree_entry *entries, uint64_t n, bool by_value) {
    if (n > 1) qsort(entries, n, sizeof *entries, by_value ? bt_entry_cmp_value : bt_entry_cmp);
}

/* `n` items spread as evenly as possible over `groups` groups: group g holds items
 * [bt_group_start(n, groups, g), bt_group_start(n, groups, g + 1)). */
static uint64_t bt_group_start(uint64_t n, uint64_t groups, uint64_t g) { return n * g / groups; }

/* Packs the sorted entries into linked leaves; mins[i] is leaf i's first key. */
static uint64_t bt_load_leaves(eng_btree *tree, eng_btree_entry *e, uint64_t n,
                               bt_node **level, const bt_key **mins) {
    uint64_t count = (n + ENG_BTREE_BUILD_FILL - 1) / ENG_BTREE_BUILD_FILL;
    bt_node *prev = NULL;
    for (uint64_t g = 0; g < count; g++) {
        uint64_t from = bt_group_start(n, count, g), to = bt_group_start(n, count, g + 1);
        bt_node *leaf = bt_node_new(tree, true);
        for (uint64_t i = from; i < to; i++) {
            RT_ASSERT(e[i].len <= ENG_BTREE_KEY_BYTES_MAX);
            bt_key *k = &leaf->keys[i - from];
            *k = (bt_key){.head = {e[i].head[0], e[i].head[1]}, .ptr = e[i].key, .len = e[i].len};
            leaf->values[i - from] = e[i].value;
            tree->bytes += e[i].len;
        }
        leaf->count = (uint16_t)(to - from);
        leaf->prev = prev;
        if (prev != NULL) prev->next = leaf;
        prev = leaf;
        level[g] = leaf;
        mins[g] = &leaf->keys[0];
    }
    return count;
}

/* Groups the `m` nodes of a level under new inner nodes (at most ENG_BTREE_BUILD_FILL + 1
 * children each); the level is replaced by its parents, whose count is returned. */
static uint64_t bt_load_parents(eng_btree *tree, bt_node **level, const bt_key **mins,
                                uint64_t m) {
    uint64_t count = (m + ENG_BTREE_BUILD_FILL) / (ENG_BTREE_BUILD_FILL + 1u);
    for (uint64_t g = 0; g < count; g++) {
        uint64_t from = bt_group_start(m, count, g), to = bt_group_start(m, count, g + 1);
        RT_ASSERT(to - from >= 2);
        bt_node *inner = bt_node_new(tree, false);
        const bt_key *min = mins[from];
        for (uint64_t c = from; c < to; c++) {
            inner->children[c - from] = level[c];
            if (c > from) inner->keys[c - from - 1] = bt_key_copy(tree, mins[c]->ptr, mins[c]->len);
        }
        inner->count = (uint16_t)(to - from - 1);
        level[g] = inner;
        mins[g] = min;
    }
    return count;
}

void eng_btree_load(eng_btree *tree, eng_btree_entry *entries, uint64_t n) {
    RT_ASSERT(tree->count == 0);
    if (n == 0) return;
    bt_node_free(tree, tree->root);
    tree->bytes -= sizeof(bt_node);
    uint64_t cap = (n + ENG_BTREE_BUILD_FILL - 1) / ENG_BTREE_BUILD_FILL;
    bt_node **level = rt_xmalloc(cap * sizeof *level);
    const bt_key **mins = rt_xmalloc(cap * sizeof *mins);
    uint64_t m = bt_load_leaves(tree, entries, n, level, mins);
    while (m > 1) m = bt_load_parents(tree, level, mins, m);
    tree->root = level[0];
    tree->count = n;
    tree->version++;
    rt_free(level);
    rt_free(mins);
    RT_VERIFY(eng_btree_check(tree));
}

/* ---- iteration ---- */

static void bt_position(eng_btree_iter *it, const uint8_t *key, uint32_t len, bool inclusive) {
    bt_probe probe = bt_probe_of(key, key != NULL ? len : 0);
    const bt_node *n = it->tree->root;
    while (!n->leaf) n = n->children[key != NULL ? bt_child_index(n, &probe) : 0];
    uint32_t i = 0;
    if (key != NULL) {
        bool found;
        i = bt_search(n, &probe, &found);
        if (found && !inclusive) i++;
    }
    it->leaf = n;
    it->pos = i;
    it->tree_version = it->tree->version;
}

void eng_btree_seek(eng_btree_iter *it, const eng_btree *tree, const uint8_t *key,
                    uint32_t key_len, bool inclusive) {
    it->tree = tree;
    it->started = false;
    it->done = false;
    it->last_len = 0;
    bt_position(it, key, key_len, inclusive);
}

bool eng_btree_next(eng_btree_iter *it, const uint8_t **key, uint32_t *key_len,
                    uint64_t *value) {
    if (it->done) return false;
    if (it->tree_version != it->tree->version) {
        /* The tree changed since the last step: find our place again by key. */
        if (it->started) {
            bt_position(it, it->last_key, it->last_len, false);
        } else {
            bt_position(it, NULL, 0, true);
        }
    }
    const bt_node *n = it->leaf;
    while (n != NULL && it->pos >= n->count) {
        n = n->next;
        it->pos = 0;
    }
    if (n == NULL) {
        it->done = true;
        return false;
    }
    it->leaf = n;
    *key = n->keys[it->pos].ptr;
    *key_len = n->keys[it->pos].len;
    *value = n->values[it->pos];
    memcpy(it->last_key, *key, *key_len);
    it->last_len = *key_len;
    it->started = true;
    it->pos++;
    return true;
}

static bool bt_check_node(const bt_node *n, const bt_key *lo, const bt_key *hi, uint64_t *count) {
    for (uint32_t i = 0; i < n->count; i++) {
        if (i > 0 && bt_cmp(n->keys[i - 1].ptr, n->keys[i - 1].len, n->keys[i].ptr,
                            n->keys[i].len) >= 0) return false;
        if (lo != NULL && bt_cmp(n->keys[i].ptr, n->keys[i].len, lo->ptr, lo->len) < 0) {
            return false;
        }
        if (hi != NULL && bt_cmp(n->keys[i].ptr, n->keys[i].len, hi->ptr, hi->len) >= 0) {
            return false;
        }
    }
    if (n->leaf) {
        *count += n->count;
        return true;
    }
    for (uint32_t i = 0; i <= n->count; i++) {
        const bt_key *clo = i > 0 ? &n->keys[i - 1] : lo;
        const bt_key *chi = i < n->count ? &n->keys[i] : hi;
        if (!bt_check_node(n->children[i], clo, chi, count)) return false;
    }
    return true;
}

bool eng_btree_check(const eng_btree *tree) {
    uint64_t count = 0;
    if (!bt_check_node(tree->root, NULL, NULL, &count)) return false;
    return count == tree->count;
}
