/* test_sql_join.c: the join planner's choices (sql_plan_join.c, sql_plan.c) and that every
 * strategy gives the same rows.
 * How: first the join-order search alone, on made-up relation sizes and predicates: the small
 * or filtered relation is joined first and is the hash build side, cross products are
 * avoided, equal estimates keep the written order, and past SQL_JOIN_DP_RELS_MAX relations
 * the greedy search still returns a complete tree. Then end to end in a session over a real
 * engine with two shards (sql_session_harness.h): analysed tables of different sizes, EXPLAIN
 * must show the chosen order and strategy (a filtered small table as the Hash side, a
 * co-located join under one Gather, a primary-key Index Scan per outer row, the HNSW Index
 * Scan inside a LATERAL top-k per query row), and each query's rows must equal those of the
 * same question asked in a form the planner cannot rewrite (a correlated subquery or a plain
 * filter), so a wrong strategy cannot pass unnoticed. Last, a TPC-H Q3-shaped join of three
 * tables must hash the filtered join of the two smaller ones and probe it with the biggest,
 * both after ANALYZE and when only auto-analyze has seen freshly loaded tables; that join's
 * result is broadcast to the biggest one's shards (a Gather inside the Hash, under the
 * probing fragment with its Partial HashAggregate), and gives the rows of the plain form,
 * for LEFT joins too, and text made by the build side (built once and read by every shard's
 * fragment) comes out whole; EXPLAIN shows that build as "Shared Build: once per Gather" in
 * every format and EXPLAIN ANALYZE its actual rows (those of the build, once) and one build;
 * past the operator budget that shared build fails with 53200. Merge joins:
 * inputs both ordered on the key (sorted subqueries) must merge (Merge Join, Merge Cond, no
 * Hash), inputs not ordered on it must hash, the merged rows must equal the hashed ones (with
 * duplicate keys on both sides, NULL keys, LEFT joins, a key group spanning batches), and a
 * key group past the operator memory budget must fail with 53200. An inner join written after
 * a LEFT JOIN must be able to run first (the filtered small table joined below the Left
 * Join), and must not when its condition reads the outer join's nullable side; the outer-join
 * identities: a LEFT (or FULL) JOIN whose nullable side a strict WHERE condition filters
 * shows no Left (Full) Join, an inner join over a RIGHT JOIN runs below it, (A LEFT JOIN B)
 * LEFT JOIN C with C's condition strict in B builds B LEFT JOIN C first and not when it is a
 * COALESCE, an OR over two columns of the nullable side reduces its join, the nested form
 * A LEFT JOIN (B LEFT JOIN C) is built as (A LEFT JOIN B) LEFT JOIN C when that is cheaper,
 * each with the rows of a form the planner cannot rewrite; inner and outer joins ordered
 * together: a filtered small table written after a LEFT JOIN and another inner join is joined
 * first, below both; a condition reading the nullable side (not strict) is evaluated above
 * the LEFT JOIN. Two big tables
 * joined on columns that are not their keys must be re-partitioned between the shards
 * (Repartition with its Hash Key on both sides, under one Gather) and give the rows of a join
 * the planner cannot re-partition. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sql/sql_exec.h"
#include "sql/sql_plan_int.h"
#include "tests/sql/sql_session_harness.h"

/* ---- the search alone ---- */

static sql_join_tree tree;

static void order(const double *rows, uint32_t n, const sql_join_pred *preds, uint32_t np) {
    rt_arena *arena = rt_arena_create(1u << 24);
    rt_err err;
    rt_err_clear(&err);
    assert_true(sql_join_order(arena, rows, n, preds, np, &tree, &err));
    rt_arena_destroy(arena);
    assert_int_equal(tree.nnodes, 2 * n - 1);
    assert_int_equal(tree.nodes[tree.nnodes - 1].set, (1u << n) - 1u);
}

static const sql_join_node *root(void) { return &tree.nodes[tree.nnodes - 1]; }

static void test_join_order_build_side_is_small(void **state) {
    (void)state;
    double rows[] = {10, 100000};
    sql_join_pred p[] = {{.rels = 3, .selectivity = 1e-5, .equi = true}};
    order(rows, 2, p, 1);
    assert_int_equal(root()->left, 1);  /* the big relation probes */
    assert_int_equal(root()->right, 0); /* the small one is hashed */
}

static void test_join_order_filtered_first(void **state) {
    (void)state;
    /* big(0) - mid(1) - small(2) in a chain; small is tiny after its filter. */
    double rows[] = {100000, 5000, 3};
    sql_join_pred p[] = {{.rels = 3, .selectivity = 1.0 / 100000, .equi = true},
                         {.rels = 6, .selectivity = 1.0 / 5000, .equi = true}};
    order(rows, 3, p, 2);
    /* mid joins small first; that small result is the build side against big. */
    const sql_join_node *r = root();
    const sql_join_node *inner = &tree.nodes[r->right];
    assert_int_equal(r->left, 0);
    assert_int_equal(inner->set, 6u);
}

static void test_join_order_avoids_cross_products(void **state) {
    (void)state;
    /* a(0) - b(1) - c(2): a and c are not connected; written order a, c, b. */
    double rows[] = {1000, 1000, 1000};
    sql_join_pred p[] = {{.rels = 3, .selectivity = 0.001, .equi = true},
                         {.rels = 6, .selectivity = 0.001, .equi = true}};
    order(rows, 3, p, 2);
    const sql_join_node *r = root();
    const sql_join_node *l = &tree.nodes[r->left], *rr = &tree.nodes[r->right];
    /* The first join is a-b or b-c, never a-c. */
    uint32_t first = l->left >= 0 ? l->set : rr->set;
    assert_true(first == 3u || first == 6u);
}

static void test_join_order_ties_keep_written_order(void **state) {
    (void)state;
    double rows[] = {1000, 1000};
    sql_join_pred p[] = {{.rels = 3, .selectivity = 0.001, .equi = true}};
    order(rows, 2, p, 1);
    assert_int_equal(root()->left, 0);
    assert_int_equal(root()->right, 1);
}

static void test_join_order_greedy_beyond_dp(void **state) {
    (void)state;
    enum { N = SQL_JOIN_DP_RELS_MAX + 4 };
    double rows[N];
    sql_join_pred p[N];
    for (uint32_t i = 0; i < N; i++) rows[i] = 10.0 * (i + 1);
    for (uint32_t i = 0; i + 1 < N; i++) {
        p[i] = (sql_join_pred){.rels = 3u << i, .selectivity = 0.01, .equi = true};
    }
    order(rows, N, p, N - 1);
    /* Every join node's set is the union of its children's. */
    for (uint32_t i = N; i < tree.nnodes; i++) {
        const sql_join_node *nd = &tree.nodes[i];
        assert_int_equal(nd->set, tree.nodes[nd->left].set | tree.nodes[nd->right].set);
        assert_int_equal(tree.nodes[nd->left].set & tree.nodes[nd->right].set, 0);
    }
}

/* ---- end to end ---- */

static int checked;

static void plan_has(capture *c, const char *sql, const char *want) {
    char q[2048];
    snprintf(q, sizeof q, "EXPLAIN (COSTS OFF) %s", sql);
    const char *out = run(c, q);
    checked++;
    if (strstr(out, want) == NULL) {
        fprintf(stderr, "PLAN of %s lacks \"%s\":\n%s", sql, want, out);
        atomic_fetch_add(&mismatches, 1);
    }
}

/* Whether EXPLAIN of `sql` does not show `unwanted`. */
static void plan_lacks(capture *c, const char *sql, const char *unwanted) {
    char q[2048];
    snprintf(q, sizeof q, "EXPLAIN (COSTS OFF) %s", sql);
    const char *out = run(c, q);
    checked++;
    if (strstr(out, unwanted) != NULL || strncmp(out, "ERROR", 5) == 0) {
        fprintf(stderr, "PLAN of %s shows \"%s\":\n%s", sql, unwanted, out);
        atomic_fetch_add(&mismatches, 1);
    }
}

/* Whether EXPLAIN of `sql` shows `first` and, below it, `second`. */
static void plan_has_then(capture *c, const char *sql, const char *first, const char *second) {
    char q[2048];
    snprintf(q, sizeof q, "EXPLAIN (COSTS OFF) %s", sql);
    const char *out = run(c, q);
    const char *a = strstr(out, first);
    checked++;
    if (a == NULL || strstr(a, second) == NULL) {
        fprintf(stderr, "PLAN of %s lacks \"%s\" then \"%s\":\n%s", sql, first, second, out);
        atomic_fetch_add(&mismatches, 1);
    }
}

/* Two queries that must return the same rows. */
static void same(capture *c, const char *a, const char *b) {
    static char out[OUT_BYTES];
    snprintf(out, sizeof out, "%s", run(c, a));
    const char *other = run(c, b);
    checked++;
    if (strcmp(out, other) != 0 || strncmp(out, "ERROR", 5) == 0 || out[0] == '\0') {
        fprintf(stderr, "DIFFERENT:\n%s\n%s--- vs\n%s\n%s---\n", a, out, b, other);
        atomic_fetch_add(&mismatches, 1);
    }
}

static void load(capture *c) {
    expect(c, "CREATE TABLE big (id int PRIMARY KEY, grp int, s text)", "CREATE TABLE\n");
    expect(c, "CREATE TABLE big2 (id int8 PRIMARY KEY, val int, ref int)", "CREATE TABLE\n");
    expect(c, "CREATE TABLE small (id int PRIMARY KEY, name text)", "CREATE TABLE\n");
    expect(c, "INSERT INTO big SELECT g, g % 40, 's' || g FROM generate_series(1, 4000) g",
           "INSERT 0 4000\n");
    expect(c, "INSERT INTO big2 SELECT g * 2, g % 100, 4001 - g FROM generate_series(1, 3000) g",
           "INSERT 0 3000\n");
    expect(c, "INSERT INTO small SELECT g, 'n' || g FROM generate_series(0, 39) g",
           "INSERT 0 40\n");
    expect(c, "ANALYZE big", "ANALYZE\n");
    expect(c, "ANALYZE big2", "ANALYZE\n");
    expect(c, "ANALYZE small", "ANALYZE\n");
}

static void orders(capture *c) {
    /* The small table is hashed whichever side the query writes it on. */
    plan_has_then(c, "SELECT count(*) FROM small s JOIN big b ON b.grp = s.id",
                  "->  Seq Scan on big b\n", "->  Hash\n");
    plan_has_then(c, "SELECT count(*) FROM small s JOIN big b ON b.grp = s.id",
                  "->  Hash\n", "->  Seq Scan on small s\n");
    plan_has_then(c, "SELECT count(*) FROM big b JOIN small s ON b.grp = s.id",
                  "->  Hash\n", "->  Seq Scan on small s\n");
    same(c, "SELECT count(*), sum(b.id) FROM small s JOIN big b ON b.grp = s.id",
         "SELECT count(*), sum(id) FROM big WHERE grp IN (SELECT id FROM small)");
    /* Three tables written big first: the filtered small one joins before the big one. */
    const char *three = "SELECT b.id, b2.val, s.name FROM big b, big2 b2, small s "
                        "WHERE b2.ref = b.id AND s.id = b.grp AND s.name = 'n7' ORDER BY 1";
    plan_has_then(c, three, "Hash Cond: (b2.ref = b.id)", "Hash Cond: (b.grp = s.id)");
    plan_has_then(c, three, "->  Seq Scan on small s\n", "Filter: (name = 'n7'::text)");
    same(c, three, "SELECT b.id, (SELECT val FROM big2 WHERE ref = b.id) AS val, 'n7' AS name "
                   "FROM big b "
                   "WHERE b.grp = 7 AND EXISTS (SELECT 1 FROM big2 WHERE ref = b.id) "
                   "ORDER BY 1");
}

static void strategies(capture *c) {
    /* Partitioned alike on the join key: one Gather over the joined partitions. */
    const char *co = "SELECT count(*), sum(b2.val) FROM big b JOIN big2 b2 ON b.id = b2.id";
    plan_has(c, co, "->  Gather\n        Partitions: 2\n        ->  Partial Aggregate\n"
                    "              ->  Hash Join\n");
    plan_has(c, co, "->  Hash\n                          ->  Seq Scan on big2 b2\n");
    /* A small table joined to a big one: read whole by every shard, which joins (and
     * partially aggregates) its own partitions of the big one. */
    const char *bc = "SELECT s.name, count(*) FROM big b JOIN small s ON b.grp = s.id "
                     "WHERE s.id < 30 GROUP BY s.name ORDER BY 1";
    plan_has_then(c, bc, "->  Partial HashAggregate", "->  Hash Join\n");
    plan_has_then(c, bc, "->  Hash\n", "->  Gather\n");
    same(c, bc, "SELECT 'n' || grp AS name, count(*) FROM big WHERE grp < 30 GROUP BY grp "
                "ORDER BY 1");
    same(c, co, "SELECT count(*), sum(val) FROM big2 WHERE id <= 4000");
    const char *full = "SELECT count(*), count(b.id), count(b2.id) FROM big b FULL JOIN big2 b2 "
                       "ON b.id = b2.id";
    plan_has(c, full, "->  Hash Full Join");
    same(c, full, "SELECT 5000::int8 AS count, 4000::int8 AS count, 3000::int8 AS count");
    /* Few outer rows: each looked up by the other table's primary key. */
    const char *inl = "SELECT b2.id, b.s FROM big2 b2 JOIN big b ON b.id = b2.ref "
                      "WHERE b2.id IN (2, 4, 6000) ORDER BY 1";
    plan_has(c, inl, "Index Scan using big_pkey on big b");
    same(c, inl, "SELECT b2.id, (SELECT s FROM big WHERE id = b2.ref) AS s FROM big2 b2 "
                 "WHERE b2.id IN (2, 4, 6000) ORDER BY 1");
    /* The same through a secondary index (read on every partition, per outer row). */
    expect(c, "CREATE INDEX big2_ref ON big2 (ref)", "CREATE INDEX\n");
    const char *ix = "SELECT s.id, b2.id FROM small s LEFT JOIN big2 b2 ON b2.ref = s.id * 90 "
                     "WHERE s.id > 35 ORDER BY 1";
    plan_has(c, ix, "Index Scan using big2_ref on big2 b2\n");
    same(c, ix, "SELECT s.id, (SELECT id FROM big2 WHERE ref = s.id * 90) AS id FROM small s "
                "WHERE s.id > 35 ORDER BY 1");
    const char *left = "SELECT s.id, b.s FROM small s LEFT JOIN big b ON b.id = s.id * 200 "
                       "WHERE s.id > 17 ORDER BY 1";
    plan_has(c, left, "Nested Loop Left Join");
    same(c, left, "SELECT s.id, (SELECT s FROM big WHERE id = s.id * 200) AS s FROM small s "
                  "WHERE s.id > 17 ORDER BY 1");
}

/* Both inputs ordered on the key: merged; the same rows as the hash join of the tables. */
static void merges(capture *c) {
    const char *mj = "SELECT count(*), sum(x.id), sum(y.id) FROM (SELECT id, grp FROM big "
                     "ORDER BY grp) x JOIN (SELECT id, val FROM big2 ORDER BY val) y "
                     "ON x.grp = y.val";
    plan_has(c, mj, "->  Merge Join\n        Merge Cond: (big.grp = big2.val)\n");
    plan_has_then(c, mj, "Merge Cond", "->  Sort\n");
    checked++;
    if (strstr(run(c, "EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, grp FROM big "
                      "ORDER BY grp) x JOIN "
                      "(SELECT id, val FROM big2 ORDER BY val) y ON x.grp = y.val"),
               "Hash") != NULL) {
        fprintf(stderr, "a merge join still hashes\n");
        atomic_fetch_add(&mismatches, 1);
    }
    same(c, mj, "SELECT count(*), sum(x.id), sum(y.id) FROM big x JOIN big2 y "
                "ON x.grp = y.val");
    /* Ordered on another column than the key: hashed. */
    plan_has(c, "SELECT count(*) FROM (SELECT id, grp FROM big ORDER BY id) x JOIN "
                "(SELECT id, val FROM big2 ORDER BY val) y ON x.grp = y.val", "Hash Join");
    /* LEFT, NULL keys on both sides, a filter beyond the key. */
    const char *ml = "SELECT count(*), count(y.id), sum(y.id) FROM (SELECT id, NULLIF(grp, 3) "
                     "AS g FROM big ORDER BY 2) x LEFT JOIN (SELECT id, NULLIF(val, 5) AS v "
                     "FROM big2 ORDER BY 2) y ON x.g = y.v AND y.id % 3 <> 0";
    plan_has(c, ml, "Merge Left Join");
    same(c, ml, "SELECT count(*), count(y.id), sum(y.id) FROM big x LEFT JOIN big2 y "
                "ON NULLIF(x.grp, 3) = NULLIF(y.val, 5) AND y.id % 3 <> 0");
    /* One key with 3000 rows on the right (past a batch) against 4000 on the left. */
    const char *one = "SELECT count(*), sum(x.id) FROM (SELECT id, grp % 2 AS g FROM big "
                      "ORDER BY 2) x JOIN (SELECT id, 1 AS g FROM big2 ORDER BY 2) y "
                      "ON x.g = y.g";
    plan_has(c, one, "Merge Join");
    same(c, one, "SELECT 6000000::int8 AS count, 12000000000::int8 AS sum");
    /* The right rows of one key past the operator budget: 53200, not the machine's memory. */
    sql_exec_hash_bytes_max = 256u << 10;
    sh_show_detail = true;
    const char *oom = run(c, "SELECT max(length(y.s)) FROM (SELECT id, 1 AS g FROM big "
                             "ORDER BY 2) x JOIN (SELECT repeat('x', 200) || id AS s, 1 AS g "
                             "FROM big ORDER BY 2) y ON x.g = y.g");
    sql_exec_hash_bytes_max = SQL_EXEC_HASH_BYTES_MAX;
    sh_show_detail = false;
    checked++;
    if (strstr(oom, "ERROR 53200: out of memory\nDETAIL: The join needs more") == NULL) {
        fprintf(stderr, "merge join past its budget: %s\n", oom);
        atomic_fetch_add(&mismatches, 1);
    }
}

/* Outer joins rewritten by the outer-join identities (sql_plan_outer.c), each checked against
 * a form that needs no rewrite. */
static void outer_identities(capture *c) {
    /* A WHERE condition strict in the nullable side: an inner join, reordered with the rest. */
    const char *red = "SELECT count(*), sum(b.id) FROM big b LEFT JOIN big2 b2 ON b2.ref = b.id "
                      "JOIN small s ON s.id = b.grp WHERE b2.val = 3";
    plan_lacks(c, red, "Left Join");
    same(c, red, "SELECT count(*), sum(b.id) FROM big b JOIN big2 b2 ON b2.ref = b.id "
                 "JOIN small s ON s.id = b.grp WHERE b2.val = 3");
    /* Not strict (IS NULL): the outer join stays. */
    plan_has(c, "SELECT count(*) FROM big b LEFT JOIN big2 b2 ON b2.ref = b.id "
                "WHERE b2.val IS NULL", "Left Join");
    /* A FULL JOIN filtered on one side: the other side's rows only where they match. */
    const char *full = "SELECT count(*), count(b.id), count(b2.id) FROM big b FULL JOIN big2 b2 "
                       "ON b.id = b2.id WHERE b2.val = 3";
    plan_lacks(c, full, "Full Join");
    same(c, full, "SELECT count(*), count(b.id), count(b2.id) FROM big2 b2 LEFT JOIN big b "
                  "ON b.id = b2.id WHERE b2.val = 3");
    /* An inner join over a RIGHT JOIN that does not read its nullable side runs first. */
    const char *rj = "SELECT count(*), count(b2.id) FROM big2 b2 RIGHT JOIN big b "
                     "ON b2.ref = b.id JOIN small s ON s.id = b.grp WHERE s.name = 'n7'";
    plan_has_then(c, rj, "Hash Left Join", "Hash Cond: (b.grp = s.id)");
    same(c, rj, "SELECT count(*), count(b2.id) FROM big b LEFT JOIN big2 b2 ON b2.ref = b.id "
                "WHERE b.grp = 7");
    /* (big LEFT JOIN big2) LEFT JOIN small ON small.id = big2.val: big2 LEFT JOIN small is
     * built first and hashed whole, big probes it once. */
    const char *assoc = "SELECT count(*), count(b2.id), count(s.id), sum(s.id) FROM big b "
                        "LEFT JOIN big2 b2 ON b2.ref = b.id LEFT JOIN small s ON s.id = b2.val";
    plan_has_then(c, assoc, "Hash Cond: (b.id = b2.ref)", "Hash Cond: (b2.val = s.id)");
    same(c, assoc, "SELECT count(*), count(x.id), count(x.sid), sum(x.sid) FROM big b LEFT JOIN "
                   "(SELECT b2.id, b2.ref, (SELECT s.id FROM small s WHERE s.id = b2.val) AS sid "
                   "FROM big2 b2) x ON x.ref = b.id");
    /* ON not strict in big2 (COALESCE): the written order. */
    const char *keep = "SELECT count(*), count(s.id) FROM big b LEFT JOIN big2 b2 "
                       "ON b2.ref = b.id LEFT JOIN small s ON s.id = coalesce(b2.val, 0)";
    plan_has_then(c, keep, "Hash Cond: (COALESCE(b2.val, 0) = s.id)",
                  "Hash Cond: (b.id = b2.ref)");
    /* An OR whose arms read different columns of the nullable side still rejects its
     * NULL-extended rows (strict per relation): an inner join. */
    const char *ors = "SELECT count(*), sum(b.id) FROM big b LEFT JOIN big2 b2 ON b2.ref = b.id "
                      "WHERE b2.val = 3 OR b2.id = 10";
    plan_lacks(c, ors, "Left Join");
    same(c, ors, "SELECT count(*), sum(b.id) FROM big b JOIN big2 b2 ON b2.ref = b.id "
                 "WHERE b2.val = 3 OR b2.id = 10");
    /* Written nested, A LEFT JOIN (B LEFT JOIN C): small LEFT JOIN big2 matches few rows, so
     * it is built first and big2's rows are not all joined to small twice. */
    const char *nest = "SELECT count(*), count(b2.id), count(s.id) FROM small s0 LEFT JOIN "
                       "(big2 b2 LEFT JOIN small s ON s.id = b2.val) ON b2.ref = s0.id + 1000";
    plan_has_then(c, nest, "Hash Cond: (b2.val = s.id)", "Hash Left Join");
    same(c, nest, "SELECT count(*), count(x.id), count(x.sid) FROM small s0 LEFT JOIN "
                  "(SELECT b2.id, b2.ref, (SELECT s.id FROM small s WHERE s.id = b2.val) AS sid "
                  "FROM big2 b2) x ON x.ref = s0.id + 1000");
}

/* Inner and outer joins ordered together (sql_plan_ojorder.c): the filtered small table
 * written last joins big first, below the LEFT JOIN and the other inner join, which then see
 * 100 rows of big instead of 4,000; a non-strict condition on the nullable side is evaluated
 * above the LEFT JOIN. Rows equal those of a form behind a materialised CTE. */
static void outer_search(capture *c) {
    const char *bad = "SELECT count(*), count(b2.id), count(b3.id) FROM big b "
                      "LEFT JOIN big2 b2 ON b2.ref = b.id JOIN big2 b3 ON b3.id = b.id * 2 "
                      "JOIN small s ON s.id = b.grp WHERE s.name = 'n7'";
    plan_has_then(c, bad, "Left Join", "Hash Cond: (b.grp = s.id)");
    plan_has_then(c, bad, "Left Join", "->  Seq Scan on small s\n");
    same(c, bad, "WITH x AS MATERIALIZED (SELECT b.id FROM big b JOIN big2 b3 ON b3.id = b.id * 2 "
                 "JOIN small s ON s.id = b.grp WHERE s.name = 'n7') "
                 "SELECT count(*), count(b2.id), count(x.id) FROM x "
                 "LEFT JOIN big2 b2 ON b2.ref = x.id");
    /* The same with the LEFT JOIN written nested in a RIGHT JOIN's preserved side. */
    const char *right = "SELECT count(*), count(b2.id) FROM small s JOIN "
                        "(big2 b2 RIGHT JOIN big b ON b2.ref = b.id) ON s.id = b.grp "
                        "WHERE s.name = 'n7'";
    plan_has_then(c, right, "Left Join", "Hash Cond: (b.grp = s.id)");
    same(c, right, "SELECT count(*), count(b2.id) FROM big b LEFT JOIN big2 b2 "
                   "ON b2.ref = b.id WHERE b.grp = 7");
    /* Reading the nullable side without being strict there: that condition is evaluated
     * above the LEFT JOIN (its filter), never on big's rows before NULL-extension. */
    const char *keep = "SELECT count(*) FROM big b LEFT JOIN big2 b2 ON b2.ref = b.id "
                       "JOIN big2 b3 ON b3.id = b.id * 2 "
                       "JOIN small s ON s.id = coalesce(b2.val, b.grp) WHERE s.name = 'n7'";
    plan_has_then(c, keep, "Left Join", "Filter: (s.id = COALESCE(b2.val, b.grp))");
    same(c, keep, "WITH x AS MATERIALIZED (SELECT coalesce(b2.val, b.grp) AS k FROM big b "
                  "LEFT JOIN big2 b2 ON b2.ref = b.id JOIN big2 b3 ON b3.id = b.id * 2) "
                  "SELECT count(*) FROM x JOIN small s ON s.id = x.k WHERE s.name = 'n7'");
}

/* Ten relations (past SQL_JOIN_DP_RELS_MAX): the greedy search orders the LEFT JOIN and the
 * anti-join with the inner joins as the exhaustive one does: big's 4,000 rows meet the
 * filtered small tables first, and the LEFT JOIN and NOT EXISTS see the 100 left (before,
 * the per-join rewrites kept both LEFT JOIN and anti-join over big whole). */
static void outer_search_greedy(capture *c) {
    const char *ten = "SELECT count(*), count(b2.id) FROM big b "
                      "LEFT JOIN big2 b2 ON b2.ref = b.id JOIN big2 b3 ON b3.id = b.id * 2 "
                      "JOIN small s1 ON s1.id = b.grp JOIN small s2 ON s2.id = s1.id "
                      "JOIN small s3 ON s3.id = s2.id JOIN small s4 ON s4.id = s3.id "
                      "JOIN small s5 ON s5.id = s4.id JOIN small s6 ON s6.id = s5.id "
                      "JOIN small s ON s.id = b.grp WHERE s.name = 'n7' "
                      "AND NOT EXISTS (SELECT 1 FROM big2 x WHERE x.val = b.id)";
    plan_has_then(c, ten, "Hash Left Join", "Hash Anti Join");
    plan_has_then(c, ten, "Hash Anti Join", "Filter: (name = 'n7'::text)");
    same(c, ten, "WITH x AS MATERIALIZED (SELECT b.id FROM big b JOIN big2 b3 ON b3.id = b.id * 2 "
                 "WHERE b.grp = 7 AND NOT EXISTS (SELECT 1 FROM big2 x WHERE x.val = b.id)) "
                 "SELECT count(*), count(b2.id) FROM x LEFT JOIN big2 b2 ON b2.ref = x.id");
}

/* A date column compared with a timestamp (`d < date '...' + interval '1 year'`, Q5 / Q10 /
 * Q14's form) is estimated from its statistics in one unit: compared as raw numbers (days
 * against microseconds, both from 2000-01-01) every 1991 timestamp sorted below every date,
 * the filter was estimated at one row, and 730 rows were each looked up by index. */
static void date_timestamp_estimate(capture *c) {
    expect(c, "CREATE TABLE dts (id int PRIMARY KEY, d date, k int)", "CREATE TABLE\n");
    expect(c, "CREATE TABLE dtp (id int PRIMARY KEY, name text)", "CREATE TABLE\n");
    expect(c, "INSERT INTO dts SELECT g, date '1990-01-01' + (g % 2000), g % 20000 "
              "FROM generate_series(1, 4000) g", "INSERT 0 4000\n");
    expect(c, "INSERT INTO dtp SELECT g, 'p' || g FROM generate_series(0, 19999) g",
           "INSERT 0 20000\n");
    expect(c, "ANALYZE dts", "ANALYZE\n");
    expect(c, "ANALYZE dtp", "ANALYZE\n");
    const char *q = "SELECT count(*) FROM dts JOIN dtp ON dtp.id = dts.k "
                    "WHERE dts.d >= date '1991-01-01' AND dts.d < date '1991-01-01' + "
                    "interval '1 year'";
    plan_has(c, q, "Hash Join");
    plan_lacks(c, q, "Nested Loop");
    expect(c, q, "count\n730\nSELECT 1\n");
}

/* (big LEFT JOIN big2) JOIN small: the inner join does not read big2, so it runs first. */
static void outer_reorder(capture *c) {
    const char *oj = "SELECT count(*), count(b2.id) FROM big b LEFT JOIN big2 b2 ON b2.ref = b.id "
                     "JOIN small s ON s.id = b.grp WHERE s.name = 'n7'";
    plan_has_then(c, oj, "Hash Left Join", "Hash Cond: (b.grp = s.id)");
    same(c, oj, "SELECT count(*), count(b2.id) FROM (SELECT b.id FROM big b WHERE b.grp = 7) x "
                "LEFT JOIN big2 b2 ON b2.ref = x.id");
    /* Reading the nullable side: the written order. */
    const char *keep = "SELECT count(*) FROM big b LEFT JOIN big2 b2 ON b2.ref = b.id "
                       "JOIN small s ON s.id = coalesce(b2.val, b.grp)";
    plan_has_then(c, keep, "Hash Cond: (COALESCE(b2.val, b.grp) = s.id)", "Hash Left Join");
    outer_identities(c);
    outer_search(c);
    outer_search_greedy(c);
    date_timestamp_estimate(c);
}

/* Two big tables joined on non-key columns: both re-partitioned by the key's hash. */
static void repartitions(capture *c) {
    expect(c, "CREATE TABLE rpa (id int PRIMARY KEY, k int, v int)", "CREATE TABLE\n");
    expect(c, "CREATE TABLE rpb (id int PRIMARY KEY, k int, w int)", "CREATE TABLE\n");
    expect(c, "INSERT INTO rpa SELECT g, g % 5000, g % 97 FROM generate_series(1, 30000) g",
           "INSERT 0 30000\n");
    expect(c, "INSERT INTO rpb SELECT g, (g * 7) % 6000, g % 89 FROM generate_series(1, 30000) g",
           "INSERT 0 30000\n");
    expect(c, "ANALYZE rpa", "ANALYZE\n");
    expect(c, "ANALYZE rpb", "ANALYZE\n");
    const char *rp = "SELECT count(*) AS n, sum(a.v + b.w) AS s FROM rpa a JOIN rpb b ON a.k = b.k";
    plan_has_then(c, rp, "->  Gather\n", "->  Hash Join\n");
    plan_has_then(c, rp, "->  Repartition\n", "Hash Key: a.k\n");
    plan_has_then(c, rp, "->  Hash\n", "Hash Key: b.k\n");
    same(c, rp, "SELECT sum(x.c * y.c)::int8 AS n, sum(x.c * y.sw + y.c * x.sv)::int8 AS s "
                "FROM (SELECT k, count(*) AS c, sum(v) AS sv FROM rpa GROUP BY k) x "
                "JOIN (SELECT k, count(*) AS c, sum(w) AS sw FROM rpb GROUP BY k) y "
                "ON x.k = y.k");
    const char *lj = "SELECT count(*) AS n, count(b.id) AS m FROM rpa a LEFT JOIN rpb b "
                     "ON a.k = b.k AND b.w > 3";
    plan_has(c, lj, "Repartition");
    same(c, lj, "SELECT sum(greatest(coalesce(y.c, 0), 1))::int8 AS n, "
                "sum(coalesce(y.c, 0))::int8 AS m FROM rpa x LEFT JOIN "
                "(SELECT k, count(*) AS c FROM rpb WHERE w > 3 GROUP BY k) y ON x.k = y.k");
}

static void lateral(capture *c) {
    expect(c, "CREATE TABLE docs (id int PRIMARY KEY, emb vector(3))", "CREATE TABLE\n");
    expect(c, "INSERT INTO docs SELECT g, ('[' || sin(g) || ',' || cos(g) || ',' || "
              "sin(g * 0.37) || ']')::vector FROM generate_series(1, 3000) g",
           "INSERT 0 3000\n");
    expect(c, "CREATE TABLE qs (qid int PRIMARY KEY, emb vector(3))", "CREATE TABLE\n");
    expect(c, "INSERT INTO qs VALUES (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0.5,0.5,0.1]')",
           "INSERT 0 3\n");
    expect(c, "ANALYZE docs", "ANALYZE\n");
    const char *topk = "SELECT q.qid, d.id FROM qs q CROSS JOIN LATERAL (SELECT id FROM docs d "
                       "ORDER BY d.emb NEAR q.emb LIMIT 3) d ORDER BY 1, 2";
    plan_has(c, topk, "Nested Loop\n");
    plan_has(c, topk, "HNSW Index Scan on docs\n");
    plan_has(c, topk, "Order By: emb <=> q.emb\n");
    /* The graph walk finds the exact nearest rows on this data. */
    same(c, topk, "SELECT q.qid, d.id FROM qs q, docs d WHERE d.id IN (SELECT id FROM docs "
                  "ORDER BY emb <=> q.emb, id LIMIT 3) ORDER BY 1, 2");
    const char *fn = "SELECT b.id, g FROM big b, generate_series(1, b.grp) g WHERE b.id < 5 "
                     "ORDER BY 1, 2";
    same(c, fn, "SELECT id, g FROM big, generate_series(1, 4) g WHERE id < 5 AND g <= grp "
                "ORDER BY 1, 2");
}

/* TPC-H Q3's shape: a filtered small table (cust) joined to a mid one (ord), both joined to
 * the big one (li) whose filter keeps half its rows. The hash table must hold cust JOIN ord,
 * probed by li: built on li it would hold half the biggest table (at scale 1, 3.2 million
 * rows past the query's memory budget). */
static const char *const q3 =
    "SELECT l.ord, sum(l.price * (1 - l.disc)) AS revenue, o.odate FROM cust c, ord o, li l "
    "WHERE c.seg = 'BUILDING' AND c.id = o.cust AND l.ord = o.id "
    "AND o.odate < date '2020-06-15' AND l.ship > date '2020-06-15' "
    "GROUP BY l.ord, o.odate ORDER BY revenue DESC, o.odate, l.ord LIMIT 10";
static const char *const q3_plain =
    "SELECT x.ord, x.revenue, (SELECT odate FROM ord WHERE id = x.ord) AS odate "
    "FROM (SELECT l.ord, sum(l.price * (1 - l.disc)) AS revenue FROM li l "
    "WHERE l.ship > date '2020-06-15' AND l.ord IN (SELECT id FROM ord "
    "WHERE odate < date '2020-06-15' AND cust IN (SELECT id FROM cust WHERE seg = 'BUILDING')) "
    "GROUP BY l.ord) x ORDER BY revenue DESC, 3, x.ord LIMIT 10";

/* The three tables of q3 (names prefixed), loaded by autocommit INSERTs as COPY would. */
static void q3_load(capture *c, const char *pfx) {
    char q[512];
    snprintf(q, sizeof q, "CREATE TABLE %scust (id int PRIMARY KEY, seg text)", pfx);
    expect(c, q, "CREATE TABLE\n");
    snprintf(q, sizeof q, "CREATE TABLE %sord (id int PRIMARY KEY, cust int, odate date)", pfx);
    expect(c, q, "CREATE TABLE\n");
    snprintf(q, sizeof q, "CREATE TABLE %sli (ord int, line int, ship date, price "
             "numeric(15,2), disc numeric(15,2), PRIMARY KEY (ord, line))", pfx);
    expect(c, q, "CREATE TABLE\n");
    snprintf(q, sizeof q, "INSERT INTO %scust SELECT g, CASE WHEN g %% 5 = 0 THEN 'BUILDING' "
             "ELSE 'MACHINERY' END FROM generate_series(1, 300) g", pfx);
    expect(c, q, "INSERT 0 300\n");
    snprintf(q, sizeof q, "INSERT INTO %sord SELECT g, g %% 300 + 1, date '2020-01-01' + g %% 330 "
             "FROM generate_series(1, 3000) g", pfx);
    expect(c, q, "INSERT 0 3000\n");
    snprintf(q, sizeof q, "INSERT INTO %sli SELECT g / 4 + 1, g %% 4, date '2020-01-01' + "
             "(g / 4) %% 330 + g %% 40, (g %% 997) * 1.25, (g %% 10) * 0.01 "
             "FROM generate_series(0, 11999) g", pfx);
    expect(c, q, "INSERT 0 12000\n");
}

/* Whether `out` (what `sql` returned) shows `want`; a mismatch otherwise. */
static void shows(const char *sql, const char *out, const char *want) {
    checked++;
    if (strstr(out, want) != NULL) return;
    fprintf(stderr, "%s lacks \"%s\":\n%s", sql, want, out);
    atomic_fetch_add(&mismatches, 1);
}

/* q3's broadcast build (cust JOIN ord) is built once by the Gather and probed by every li
 * fragment: EXPLAIN says so under the join in each format, and EXPLAIN ANALYZE gives the
 * build's actual rows once (the rows of cust JOIN ord, one build), not once per fragment. */
static void q3_shared_build(capture *c) {
    char rows[32] = "?", q[2048], want[256];
    const char *n = run(c, "SELECT count(*) FROM ord o JOIN cust c ON c.id = o.cust "
                           "WHERE c.seg = 'BUILDING' AND o.odate < date '2020-06-15'");
    if (strncmp(n, "count\n", 6) == 0) {
        snprintf(rows, sizeof rows, "%.*s", (int)strcspn(n + 6, "\n"), n + 6);
    }
    snprintf(q, sizeof q, "EXPLAIN ANALYZE %s", q3);
    snprintf(want, sizeof want, "Hash Cond: (l.ord = o.id)\n%32sShared Build: once per Gather "
             "(actual rows=%s loops=1)\n", "", rows);
    shows(q, run(c, q), want);
    snprintf(q, sizeof q, "EXPLAIN (COSTS OFF, FORMAT JSON) %s", q3);
    shows(q, run(c, q), "\"Shared Build\": \"once per Gather\"");
    snprintf(q, sizeof q, "EXPLAIN (ANALYZE, FORMAT YAML) %s", q3);
    snprintf(want, sizeof want, "Shared Build Rows: %s\n", rows);
    shows(q, run(c, q), want);
    shows(q, run(c, q), "Shared Build Loops: 1\n");
    snprintf(q, sizeof q, "EXPLAIN (ANALYZE, FORMAT XML) %s", q3);
    snprintf(want, sizeof want, "<Shared-Build-Rows>%s</Shared-Build-Rows>", rows);
    shows(q, run(c, q), "<Shared-Build>once per Gather</Shared-Build>");
    shows(q, run(c, q), want);
}

static void q3_shape(capture *c) {
    q3_load(c, "");
    expect(c, "ANALYZE cust", "ANALYZE\n");
    expect(c, "ANALYZE ord", "ANALYZE\n");
    expect(c, "ANALYZE li", "ANALYZE\n");
    plan_has_then(c, q3, "Hash Cond: (l.ord = o.id)", "->  Seq Scan on li l\n");
    plan_has_then(c, q3, "->  Seq Scan on li l\n", "->  Hash\n");
    plan_has_then(c, q3, "->  Hash\n", "Hash Cond: (o.cust = c.id)");
    /* cust JOIN ord (itself run on the shards) is broadcast: every shard computes it whole,
     * probes it with its own li partitions and aggregates its joined rows partially. */
    plan_has_then(c, q3, "->  Seq Scan on li l\n",
                  "->  Hash\n                                      ->  Gather\n");
    plan_has(c, q3, "        ->  Finalize HashAggregate\n"
                    "              Group Key: l.ord, o.odate\n"
                    "              ->  Gather\n"
                    "                    Partitions: 2\n"
                    "                    ->  Partial HashAggregate\n"
                    "                          Group Key: l.ord, o.odate\n"
                    "                          ->  Hash Join\n"
                    "                                Hash Cond: (l.ord = o.id)\n"
                    "                                Shared Build: once per Gather\n"
                    "                                ->  Seq Scan on li l\n");
    q3_shared_build(c);
    plan_has(c, q3, "Sort Key: sum((l.price * ('1'::numeric - l.disc))) DESC, o.odate, l.ord\n");
    same(c, q3, q3_plain);
    /* LEFT: li rows without an order of the segment keep NULLs. */
    const char *lj = "SELECT count(*), count(x.oid), sum(x.oid) FROM li l LEFT JOIN (SELECT o.id "
                     "AS oid FROM ord o JOIN cust c ON c.id = o.cust WHERE c.seg = 'BUILDING' "
                     "AND o.odate < date '2020-06-15') x ON x.oid = l.ord "
                     "WHERE l.ship > date '2020-06-15'";
    same(c, lj, "SELECT count(*), count(o.id), sum(o.id) FROM li l LEFT JOIN ord o ON "
                "o.id = l.ord AND o.odate < date '2020-06-15' AND o.cust IN (SELECT id FROM "
                "cust WHERE seg = 'BUILDING') WHERE l.ship > date '2020-06-15'");
    /* The broadcast build side is built once by the Gather and read by both shards' li
     * fragments: its text values (made by the build side) must come out whole from both. */
    const char *txt = "SELECT count(*), min(x.s), max(x.s), sum(length(x.s)) FROM li l JOIN "
                      "(SELECT o.id AS oid, c.seg || '-' || o.id AS s FROM ord o JOIN cust c "
                      "ON c.id = o.cust WHERE o.odate < date '2020-06-15') x ON x.oid = l.ord "
                      "WHERE l.ship > date '2020-06-15'";
    plan_has_then(c, txt, "->  Seq Scan on li l\n",
                  "->  Hash\n                                ->  Gather\n");
    same(c, txt, "SELECT count(*), min(s), max(s), sum(length(s)) FROM (SELECT (SELECT c.seg "
                 "FROM cust c WHERE c.id = o.cust) || '-' || o.id AS s FROM li l JOIN ord o "
                 "ON o.id = l.ord WHERE o.odate < date '2020-06-15' AND "
                 "l.ship > date '2020-06-15') y");
    /* A shared build side past the operator budget: 53200 and nothing left behind. */
    sql_exec_hash_bytes_max = 16u << 10;
    sh_show_detail = true;
    const char *oom = run(c, q3);
    sql_exec_hash_bytes_max = SQL_EXEC_HASH_BYTES_MAX;
    sh_show_detail = false;
    checked++;
    if (strstr(oom, "ERROR 53200: out of memory\nDETAIL: The join needs more") == NULL) {
        fprintf(stderr, "shared build side past its budget: %s\n", oom);
        atomic_fetch_add(&mismatches, 1);
    }
    same(c, q3, q3_plain);
    /* Join keys of the date type (the condition then is the keys' equality alone). */
    same(c, "SELECT count(*), sum(o.id)::int8 FROM ord o JOIN li l ON l.ship = o.odate "
            "WHERE o.id <= 60",
         "SELECT sum((SELECT count(*) FROM li l WHERE l.ship = o.odate))::int8 AS count, "
         "sum(o.id * (SELECT count(*) FROM li l WHERE l.ship = o.odate))::int8 AS sum "
         "FROM ord o WHERE o.id <= 60");
}

/* The same tables freshly loaded and never analysed by hand: once the loading transactions
 * committed, auto-analyze must have seen their rows (not the empty tables), so the plan is
 * the same. Polls while the background ANALYZE runs. */
static void q3_auto_analyze(capture *c) {
    q3_load(c, "a_");
    const char *aq3 =
        "SELECT count(*) FROM a_cust c, a_ord o, a_li l WHERE c.seg = 'BUILDING' AND "
        "c.id = o.cust AND l.ord = o.id AND o.odate < date '2020-06-15' AND "
        "l.ship > date '2020-06-15'";
    char q[1024];
    snprintf(q, sizeof q, "EXPLAIN (COSTS OFF) %s", aq3);
    bool good = false;
    for (int i = 0; i < 100 && !good; i++) {
        const char *out = run(c, q);
        const char *probe = strstr(out, "->  Seq Scan on a_li l\n");
        good = probe != NULL && strstr(probe, "->  Hash\n") != NULL &&
               strstr(out, "Hash Cond: (o.cust = c.id)") != NULL;
        if (!good) run(c, "SELECT pg_sleep(0.05)");
    }
    checked++;
    if (!good) {
        fprintf(stderr, "PLAN after auto-analyze still hashes a_li:\n%s", run(c, q));
        atomic_fetch_add(&mismatches, 1);
    }
}

static void script(capture *c) {
    load(c);
    orders(c);
    strategies(c);
    merges(c);
    outer_reorder(c);
    repartitions(c);
    lateral(c);
    q3_shape(c);
    q3_auto_analyze(c);
}

static void test_join_plans_end_to_end(void **state) {
    (void)state;
    assert_int_equal(sh_run(2, script), 0);
    printf("%d plans and results checked\n", checked);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_order_build_side_is_small),
        cmocka_unit_test(test_join_order_filtered_first),
        cmocka_unit_test(test_join_order_avoids_cross_products),
        cmocka_unit_test(test_join_order_ties_keep_written_order),
        cmocka_unit_test(test_join_order_greedy_beyond_dp),
        cmocka_unit_test(test_join_plans_end_to_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
