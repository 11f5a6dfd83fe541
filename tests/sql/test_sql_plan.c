/* test_sql_plan.c: the optimiser (sql_plan.c) and EXPLAIN (sql_plan_explain.c) end to end.
 * An in-process database (sql_test_db.h) with two shards runs real statements through the
 * parser, the binder, sql_plan_optimize and the executor: INSERT, point lookups by primary key
 * (PKGET on one partition), scans with filters, hash joins, GROUP BY with partial aggregation,
 * ORDER BY / LIMIT (local top-k), UPDATE, DELETE and subqueries. Results are compared as text
 * and the EXPLAIN text shows the plan shape each optimisation should produce, including the
 * constants of a filter computed once at bind time. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "sql/sql_array.h"
#include "sql/sql_stats.h"
#include "tests/sql/sql_test_db.h"

static sdb_result res;

#define CHECK_ROWS(sql, want) TEST_CHECK(sdb_expect(sql, want))
#define CHECK_ERROR(sql, state) TEST_CHECK(sdb_expect_error(sql, state))

static void plan_setup(void) {
    TEST_CHECK(sdb_create_table("CREATE TABLE t (id int8 PRIMARY KEY, name text, x int4)", 4) != 0);
    TEST_CHECK(sdb_create_table("CREATE TABLE u (uid int4 PRIMARY KEY, tid int8, tag text)", 3) !=
               0);
    TEST_CHECK(sdb_exec("INSERT INTO t VALUES (1, 'one', 10), (2, 'two', 20), (3, 'three', 30),"
                        " (4, 'four', 40), (5, 'five', NULL)", &res));
    TEST_CHECK(res.affected == 5);
    TEST_CHECK(sdb_exec("INSERT INTO u (uid, tid, tag) VALUES (100, 1, 'a'), (101, 1, 'b'),"
                        " (102, 3, 'c'), (103, 9, 'd')", &res));
    TEST_CHECK(res.affected == 4);
}

static void plan_selects(void) {
    CHECK_ROWS("SELECT name, x FROM t WHERE id = 3", "three|30\n");
    CHECK_ROWS("SELECT name FROM t WHERE id = 42", "");
    CHECK_ROWS("SELECT id FROM t WHERE x > 15 ORDER BY id", "2\n3\n4\n");
    CHECK_ROWS("SELECT id, x FROM t WHERE x IS NULL", "5|NULL\n");
    CHECK_ROWS("SELECT * FROM t ORDER BY x DESC NULLS LAST LIMIT 2", "4|four|40\n3|three|30\n");
    CHECK_ROWS("SELECT id FROM t ORDER BY id LIMIT 2 OFFSET 1", "2\n3\n");
    CHECK_ROWS("SELECT count(*) FROM t LIMIT 1", "5\n");
    CHECK_ROWS("SELECT 1 + 1", "2\n");
}

static void plan_joins_aggs(void) {
    CHECK_ROWS("SELECT t.name, u.tag FROM t JOIN u ON t.id = u.tid ORDER BY u.uid",
               "one|a\none|b\nthree|c\n");
    CHECK_ROWS("SELECT t.id, u.tag FROM t LEFT JOIN u ON t.id = u.tid WHERE t.id < 3 "
               "ORDER BY t.id, u.tag", "1|a\n1|b\n2|NULL\n");
    CHECK_ROWS("SELECT t.id, u.uid FROM t, u WHERE t.id = u.tid AND u.tag <> 'a' ORDER BY 2",
               "1|101\n3|102\n");
    CHECK_ROWS("SELECT count(*), sum(x), count(x) FROM t", "5|100|4\n");
    CHECK_ROWS("SELECT tid, count(*) FROM u GROUP BY tid ORDER BY tid", "1|2\n3|1\n9|1\n");
    CHECK_ROWS("SELECT tid, count(*) FROM u GROUP BY tid HAVING count(*) > 1", "1|2\n");
    CHECK_ROWS("SELECT min(name), max(x) FROM t WHERE id > 1", "five|40\n");
    CHECK_ROWS("SELECT count(*) FROM t WHERE id = 2", "1\n");
}

static void plan_subqueries(void) {
    CHECK_ROWS("SELECT id FROM t WHERE id IN (SELECT tid FROM u) ORDER BY id", "1\n3\n");
    CHECK_ROWS("SELECT id FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.tid = t.id) ORDER BY id",
               "1\n3\n");
    CHECK_ROWS("SELECT name, (SELECT count(*) FROM u WHERE u.tid = t.id) FROM t WHERE id <= 2 "
               "ORDER BY id", "one|2\ntwo|0\n");
    CHECK_ROWS("SELECT s.n FROM (SELECT name AS n, x FROM t WHERE x >= 30) s ORDER BY s.x",
               "three\nfour\n");
    CHECK_ROWS("WITH w AS (SELECT id FROM t WHERE x < 25) SELECT count(*) FROM w", "2\n");
}

/* Joins whose conditions must not move (outer joins), parameters, composite keys, set
 * operations, correlated point lookups. */
static void plan_more(void) {
    static const char *two[] = {"2"};
    TEST_CHECK(sdb_exec_params("SELECT name FROM t WHERE id = $1", 1, two, &res) &&
               strcmp(res.text, "two\n") == 0);
    CHECK_ROWS("SELECT u.uid, (SELECT name FROM t WHERE t.id = u.tid) FROM u ORDER BY u.uid",
               "100|one\n101|one\n102|three\n103|NULL\n");
    CHECK_ROWS("SELECT t.id FROM t LEFT JOIN u ON t.id = u.tid WHERE u.tag IS NULL ORDER BY t.id",
               "2\n4\n5\n");
    CHECK_ROWS("SELECT t.id, u.uid FROM t LEFT JOIN u ON t.id = u.tid AND t.x > 15 ORDER BY t.id",
               "1|NULL\n2|NULL\n3|102\n4|NULL\n5|NULL\n");
    CHECK_ROWS("SELECT t.id, u.uid FROM t RIGHT JOIN u ON t.id = u.tid ORDER BY u.uid",
               "1|100\n1|101\n3|102\nNULL|103\n");
    CHECK_ROWS("SELECT t.id, u.uid FROM t FULL JOIN u ON t.id = u.tid ORDER BY t.id, u.uid",
               "1|100\n1|101\n2|NULL\n3|102\n4|NULL\n5|NULL\nNULL|103\n");
    CHECK_ROWS("SELECT count(*) FROM t JOIN u ON u.uid = t.id", "0\n");
    CHECK_ROWS("SELECT tid FROM u UNION SELECT id FROM t ORDER BY 1", "1\n2\n3\n4\n5\n9\n");
    CHECK_ROWS("SELECT DISTINCT tid FROM u ORDER BY tid", "1\n3\n9\n");
    CHECK_ROWS("SELECT count(*) FROM (SELECT id FROM t LIMIT 2) s", "2\n");
    CHECK_ROWS("SELECT id FROM t WHERE id IN (2, 4) ORDER BY id", "2\n4\n");
    CHECK_ROWS("SELECT id FROM t WHERE id IN (1, 2, 3, 4, 5, 6, NULL) ORDER BY id",
               "1\n2\n3\n4\n5\n");
    CHECK_ROWS("SELECT id FROM t WHERE id IN (NULL)", "");
    CHECK_ROWS("SELECT uid FROM u WHERE uid IN (101, 103, 999) ORDER BY uid", "101\n103\n");
    TEST_CHECK(sdb_create_table("CREATE TABLE c (a int4, b text, v int4, PRIMARY KEY (a, b))", 2)
               != 0);
    TEST_CHECK(sdb_exec("INSERT INTO c VALUES (1, 'x', 10), (1, 'y', 11), (2, 'x', 20)", &res));
    CHECK_ROWS("SELECT v FROM c WHERE b = 'y' AND a = 1", "11\n");
    CHECK_ROWS("SELECT v FROM c WHERE a = 1 ORDER BY v", "10\n11\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT v FROM c WHERE b = 'y' AND a = 1 AND v > 0",
               "Gather\n"
               "  Partitions: 1\n"
               "  ->  Index Scan using c_pkey on c\n"
               "        Index Cond: ((a = 1) AND (b = 'y'::text))\n"
               "        Filter: (v > 0)\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT v FROM c WHERE a = 1",
               "Gather\n"
               "  Partitions: 2\n"
               "  ->  Seq Scan on c\n"
               "        Filter: (a = 1)\n");
    TEST_CHECK(sdb_create_table("CREATE TABLE e (k int4 PRIMARY KEY, v int4)", 4) != 0);
    CHECK_ROWS("SELECT count(*), sum(v), count(v) FROM e", "0|NULL|0\n");
    CHECK_ROWS("SELECT k, count(*) FROM e GROUP BY k", "");
    CHECK_ROWS("SELECT count(*) FILTER (WHERE x > 15), sum(x) FILTER (WHERE id < 3) FROM t",
               "3|30\n");
    CHECK_ROWS("SELECT t.id, s.c FROM t JOIN (SELECT tid, count(*) AS c FROM u GROUP BY tid) s "
               "ON s.tid = t.id ORDER BY t.id", "1|2\n3|1\n");
    CHECK_ROWS("SELECT t.id, u.uid, c.v FROM t, u, c WHERE t.id = u.tid AND c.a = t.id "
               "AND c.b = u.tag ORDER BY u.uid", "");
    CHECK_ROWS("SELECT t.id, u.uid, c.v FROM t, u, c WHERE t.id = u.tid AND c.a = t.id "
               "ORDER BY u.uid, c.v", "1|100|10\n1|100|11\n1|101|10\n1|101|11\n");
    CHECK_ROWS("SELECT v.a, t.name FROM (VALUES (1), (4)) v(a) JOIN t ON t.id = v.a ORDER BY 1",
               "1|one\n4|four\n");
    static const char *lim[] = {"1"};
    TEST_CHECK(sdb_exec_params("SELECT id FROM t ORDER BY id DESC LIMIT $1", 1, lim, &res) &&
               strcmp(res.text, "5\n") == 0);
    /* LATERAL: the right side runs once per left row. */
    CHECK_ROWS("SELECT t.id, g FROM t, LATERAL generate_series(1, t.x / 10) g WHERE t.id < 3 "
               "ORDER BY 1, 2", "1|1\n2|1\n2|2\n");
    CHECK_ROWS("SELECT t.id, s.uid FROM t, LATERAL (SELECT u.uid FROM u WHERE u.tid = t.id) s "
               "ORDER BY 2", "1|100\n1|101\n3|102\n");
    CHECK_ROWS("SELECT t.id, s.uid FROM t LEFT JOIN LATERAL (SELECT u.uid FROM u "
               "WHERE u.tid = t.id ORDER BY u.uid DESC LIMIT 1) s ON true ORDER BY 1",
               "1|101\n2|NULL\n3|102\n4|NULL\n5|NULL\n");
    CHECK_ERROR("SELECT * FROM t RIGHT JOIN LATERAL (SELECT t.x) s ON true", "42P10");
    CHECK_ROWS("SELECT * FROM t, LATERAL (SELECT 7) s WHERE t.id = 1", "1|one|10|7\n");
    CHECK_ROWS("SELECT pg_typeof(x)::oid, pg_typeof(name)::oid FROM t WHERE id = 1", "23|25\n");
}

static void plan_sequences(void) {
    TEST_CHECK(sdb_create_sequence("s1"));
    CHECK_ROWS("SELECT nextval('s1'), nextval('public.s1'::regclass)", "1|2\n");
    CHECK_ROWS("SELECT setval('s1', 10)", "10\n");
    CHECK_ROWS("SELECT nextval('S1')", "11\n");
    CHECK_ROWS("SELECT setval('s1', 20, false), nextval('s1')", "20|20\n");
    CHECK_ERROR("SELECT nextval('nope')", "42P01");
    CHECK_ERROR("SELECT nextval('t')", "42809");
    CHECK_ERROR("SELECT currval('s1')", "0A000");
}

static void plan_modify(void) {
    TEST_CHECK(sdb_exec("UPDATE t SET x = x + 1 WHERE id = 1", &res) && res.affected == 1);
    CHECK_ROWS("SELECT x FROM t WHERE id = 1", "11\n");
    TEST_CHECK(sdb_exec("UPDATE t SET name = upper(name) WHERE x >= 30", &res) &&
               res.affected == 2);
    CHECK_ROWS("SELECT name FROM t WHERE x >= 30 ORDER BY id", "THREE\nFOUR\n");
    CHECK_ROWS("UPDATE t SET x = 0 WHERE id = 5 RETURNING id, x", "5|0\n");
    TEST_CHECK(sdb_exec("DELETE FROM u WHERE tid = 9", &res) && res.affected == 1);
    TEST_CHECK(sdb_exec("DELETE FROM u WHERE uid = 100", &res) && res.affected == 1);
    CHECK_ROWS("SELECT uid FROM u ORDER BY uid", "101\n102\n");
    TEST_CHECK(sdb_exec("DELETE FROM t WHERE id IN (SELECT tid FROM u)", &res) &&
               res.affected == 2);
    CHECK_ROWS("SELECT id FROM t ORDER BY id", "2\n4\n5\n");
    CHECK_ERROR("INSERT INTO t VALUES (2, 'dup', 0)", "23505");
    TEST_CHECK(sdb_exec("INSERT INTO u SELECT id + 200, id, name FROM t WHERE id > 3", &res) &&
               res.affected == 2);
    CHECK_ROWS("SELECT uid, tid FROM u WHERE uid > 200 ORDER BY uid", "204|4\n205|5\n");
}

/* Constant operators and casts in WHERE / ON are computed once: the scan filter shows their
 * value (as PostgreSQL's EXPLAIN does); one that fails still fails when the query runs. */
static void plan_fold(void) {
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT id FROM t WHERE x > 10 + 5",
               "Gather\n"
               "  Partitions: 4\n"
               "  ->  Seq Scan on t\n"
               "        Filter: (x > 15)\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT id FROM t WHERE x::numeric BETWEEN 0.06 - 0.01 AND 24",
               "Gather\n"
               "  Partitions: 4\n"
               "  ->  Seq Scan on t\n"
               "        Filter: (((x)::numeric >= 0.05) AND ((x)::numeric <= '24'::numeric))\n");
    CHECK_ROWS("SELECT id FROM t WHERE x < 20 + 20 ORDER BY id", "1\n2\n3\n");
    CHECK_ROWS("SELECT id FROM t WHERE x::numeric > 0.06 - 0.01 AND x < 2 * 10 ORDER BY id",
               "1\n");
    CHECK_ERROR("SELECT id FROM t WHERE x > 1 / 0", "22012");
    /* IN (subquery) with a constant on the left: the binder's placeholder call is not folded. */
    CHECK_ROWS("SELECT NULL::int IN (SELECT x FROM t), 10 IN (SELECT x FROM t)", "NULL|t\n");
}

static void plan_explain(void) {
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT name FROM t WHERE id = 3",
               "Gather\n"
               "  Partitions: 1\n"
               "  ->  Index Scan using t_pkey on t\n"
               "        Index Cond: (id = 3)\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT id FROM t WHERE x > 15 ORDER BY id",
               "Sort\n"
               "  Sort Key: id\n"
               "  ->  Gather\n"
               "        Partitions: 4\n"
               "        ->  Seq Scan on t\n"
               "              Filter: (x > 15)\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT t.name, u.tag FROM t JOIN u ON t.id = u.tid",
               "Hash Join\n"
               "  Hash Cond: (t.id = u.tid)\n"
               "  ->  Gather\n"
               "        Partitions: 4\n"
               "        ->  Seq Scan on t\n"
               "  ->  Hash\n"
               "        ->  Gather\n"
               "              Partitions: 3\n"
               "              ->  Seq Scan on u\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT tid, count(*) FROM u GROUP BY tid",
               "Finalize HashAggregate\n"
               "  Group Key: tid\n"
               "  ->  Gather\n"
               "        Partitions: 3\n"
               "        ->  Partial HashAggregate\n"
               "              Group Key: tid\n"
               "              ->  Seq Scan on u\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY x DESC LIMIT 3",
               "Limit\n"
               "  ->  Sort\n"
               "        Sort Key: x DESC\n"
               "        ->  Gather\n"
               "              Partitions: 4\n"
               "              ->  Sort\n"
               "                    Sort Key: x DESC\n"
               "                    ->  Seq Scan on t\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) UPDATE t SET x = 1 WHERE id = 2 AND name = 'two'",
               "Gather\n"
               "  Partitions: 1\n"
               "  ->  Update on t\n"
               "        ->  Index Scan using t_pkey on t\n"
               "              Index Cond: (id = 2)\n"
               "              Filter: (name = 'two'::text)\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) DELETE FROM t WHERE x < 5",
               "Gather\n"
               "  Partitions: 4\n"
               "  ->  Delete on t\n"
               "        ->  Seq Scan on t\n"
               "              Filter: (x < 5)\n");
}

/* Shapes of distribution: per-fragment limits, partial aggregation, outer joins, subplans. */
static void plan_explain_more(void) {
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT name FROM t LIMIT 2",
               "Limit\n"
               "  ->  Gather\n"
               "        Partitions: 4\n"
               "        ->  Limit\n"
               "              ->  Seq Scan on t\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT min(x) FROM t",
               "Aggregate\n"
               "  ->  Gather\n"
               "        Partitions: 4\n"
               "        ->  Seq Scan on t\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT t.id FROM t LEFT JOIN u ON t.id = u.tid AND u.tag = 'x' "
               "WHERE t.x < 3 AND u.uid IS NULL",
               /* Few rows of u pass its filter: every shard reads them (broadcast) and joins
                * its own partitions of t with them. */
               "Gather\n"
               "  Partitions: 4\n"
               "  Filter: (u.uid IS NULL)\n"
               "  ->  Hash Left Join\n"
               "        Hash Cond: (t.id = u.tid)\n"
               "        Shared Build: once per Gather\n"
               "        ->  Seq Scan on t\n"
               "              Filter: (x < 3)\n"
               "        ->  Hash\n"
               "              ->  Gather\n"
               "                    Partitions: 3\n"
               "                    ->  Seq Scan on u\n"
               "                          Filter: (tag = 'x'::text)\n");
    CHECK_ROWS("SELECT t.id FROM t LEFT JOIN u ON t.id = u.tid AND u.tag = 'c' "
               "WHERE t.x < 35 AND u.uid IS NULL ORDER BY 1", "1\n2\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT tid, count(*) FROM u GROUP BY tid HAVING count(*) > 1",
               "Finalize HashAggregate\n"
               "  Group Key: tid\n"
               "  Filter: (count(*) > 1)\n"
               "  ->  Gather\n"
               "        Partitions: 3\n"
               "        ->  Partial HashAggregate\n"
               "              Group Key: tid\n"
               "              ->  Seq Scan on u\n");
}

/* A LEFT JOIN whose preserved side is the smaller builds it (Hash Right Join): the same rows,
 * NULL-extended ones included, in the written column order. */
static void plan_hash_right(void) {
    const char *q = "SELECT u.uid, t.id, t.name FROM u LEFT JOIN t ON t.x = u.tid * 10 "
                    "WHERE u.tag IN ('c', 'd') ORDER BY 1";
    CHECK_ROWS(q, "102|3|three\n103|NULL|NULL\n");
    char sql[256];
    snprintf(sql, sizeof sql, "EXPLAIN (COSTS OFF) %s", q);
    CHECK_ROWS(sql, "Sort\n"
                    "  Sort Key: u.uid\n"
                    "  ->  Hash Right Join\n"
                    "        Hash Cond: (t.x = (u.tid * 10))\n"
                    "        ->  Gather\n"
                    "              Partitions: 4\n"
                    "              ->  Seq Scan on t\n"
                    "        ->  Hash\n"
                    "              ->  Gather\n"
                    "                    Partitions: 3\n"
                    "                    ->  Seq Scan on u\n"
                    "                          Filter: (tag = ANY ('{c,d}'::text[]))\n");
}

/* The first hash join of plan p (depth first), or NULL. */
static const sql_plan *plan_first_hashjoin(const sql_plan *p) {
    if (p == NULL || p->kind == SQL_P_HASHJOIN) return p;
    const sql_plan *j = plan_first_hashjoin(p->left);
    return j != NULL ? j : plan_first_hashjoin(p->right);
}

/* Whether the first hash join of `sql`'s plan reads its probe side first. */
static bool plan_probe_first(const char *sql) {
    sdb_ctx c;
    rt_err err;
    rt_err_clear(&err);
    const sql_query *q = sdb_bind(&c, sql, &err);
    const sql_plan *j = q != NULL ? plan_first_hashjoin(q->plan) : NULL;
    bool first = j != NULL && j->join.probe_first;
    if (q == NULL) rt_log(RT_LOG_ERROR, NULL, "%s: %s", sql, err.message);
    sdb_ctx_close(&c);
    return first;
}

/* A hash join whose probe side is estimated far smaller than its build side (here x = 20: 5
 * of t's 1,000 default rows against u's 1,000) reads the probe side first, and its key values
 * filter the build side's scan: u's scan hands up only rows whose tid some t row has, the
 * same rows for semi-, anti-, inner and left joins. The plan's shape is PostgreSQL's (EXPLAIN
 * ANALYZE shows the build's fewer rows; bench/RESULTS.md, Q21). */
static void plan_probe_first_joins(void) {
    const char *anti = "SELECT id FROM t WHERE x = 20 AND NOT EXISTS "
                       "(SELECT 1 FROM u WHERE u.tid = t.id)";
    TEST_CHECK(plan_probe_first(anti));
    CHECK_ROWS(anti, "2\n");
    CHECK_ROWS("SELECT id FROM t WHERE x = 10 AND EXISTS (SELECT 1 FROM u WHERE u.tid = t.id)",
               "1\n");
    CHECK_ROWS("SELECT id FROM t WHERE x = 10 AND NOT EXISTS "
               "(SELECT 1 FROM u WHERE u.tid = t.id AND u.tag <> 'a')", "");
    CHECK_ROWS("SELECT t.id, u.tag FROM t LEFT JOIN u ON u.tid = t.id AND u.tag <> 'b' "
               "WHERE t.x = 10", "1|a\n");
    CHECK_ROWS("SELECT t.id, u.tag FROM t LEFT JOIN u ON u.tid = t.id WHERE t.x = 40", "4|NULL\n");
    /* No probe row: nothing is built. A NULL key matches nothing and filters nothing. */
    CHECK_ROWS("SELECT id FROM t WHERE x = 99 AND EXISTS (SELECT 1 FROM u WHERE u.tid = t.id)",
               "");
    CHECK_ROWS("SELECT id FROM t WHERE x IS NULL AND NOT EXISTS "
               "(SELECT 1 FROM u WHERE u.tid = t.x)", "5\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT id FROM t WHERE x = 30 AND EXISTS "
               "(SELECT 1 FROM u WHERE u.tid = t.id)",
               "Hash Semi Join\n"
               "  Hash Cond: (t.id = u.tid)\n"
               "  ->  Gather\n"
               "        Partitions: 4\n"
               "        ->  Seq Scan on t\n"
               "              Filter: (x = 30)\n"
               "  ->  Hash\n"
               "        ->  Gather\n"
               "              Partitions: 3\n"
               "              ->  Seq Scan on u\n");
    /* A big probe side builds as before. */
    TEST_CHECK(!plan_probe_first("SELECT id FROM t WHERE NOT EXISTS "
                                 "(SELECT 1 FROM u WHERE u.tid = t.id)"));
}

/* Binds `sql` with its parameters' types left to infer: "int4 ..." (each $n's inferred type
 * OID), or "SQLSTATE message [detail]" when the binder refuses it. */
static const char *plan_param_types(const char *sql) {
    static char out[sizeof(rt_err) + 16];
    sdb_ctx c;
    rt_err err;
    rt_err_clear(&err);
    sdb_ctx_open(&c, sql, &err);
    sql_stmt_list list;
    sql_query *q = NULL;
    if (!sql_parse(c.arena, sql, (uint32_t)strlen(sql), &list, &err) || list.count != 1 ||
        !sql_bind_query(&c.bc, list.stmts[0].node, &q)) {
        snprintf(out, sizeof out, "%s %s [%s]", err.sqlstate, err.message, err.detail);
    } else {
        size_t len = 0;
        out[0] = '\0';
        for (uint32_t i = 0; i < q->nparams && len < sizeof out; i++) {
            len += (size_t)snprintf(out + len, sizeof out - len, "%s%u", i > 0 ? " " : "",
                                    q->param_types[i]);
        }
    }
    sdb_ctx_close(&c);
    return out;
}

/* Parameter types are inferred in PostgreSQL's order of the clauses (a SELECT's list, then
 * WHERE; UPDATE's WHERE before SET): the use that types $n decides whether an earlier use
 * that needs no type is 42P08; two coercions to different types name both. */
static void plan_param_inference(void) {
    TEST_CHECK(strcmp(plan_param_types("SELECT $1 + 1, $1 IS NULL"), "23") == 0);
    TEST_CHECK(strcmp(plan_param_types("SELECT $1 IS NULL, $1 + 1"),
                      "42P08 could not determine data type of parameter $1 []") == 0);
    TEST_CHECK(strcmp(plan_param_types("SELECT x = $1 FROM t WHERE $1 IS NULL"), "23") == 0);
    TEST_CHECK(strcmp(plan_param_types("SELECT $1 IS NULL FROM t WHERE x = $1"),
                      "42P08 could not determine data type of parameter $1 []") == 0);
    TEST_CHECK(strcmp(plan_param_types("UPDATE t SET x = 1 WHERE x = $1 RETURNING $1 IS NULL"),
                      "23") == 0);
    TEST_CHECK(strcmp(plan_param_types("SELECT repeat($1, $1)"),
                      "42P08 inconsistent types deduced for parameter $1 "
                      "[text versus integer]") == 0);
    TEST_CHECK(strcmp(plan_param_types("SELECT $1, $1 + 1"),
                      "42P08 inconsistent types deduced for parameter $1 "
                      "[integer versus text]") == 0);
    TEST_CHECK(strcmp(plan_param_types("SELECT $1, $2 = 1"), "25 23") == 0);
    TEST_CHECK(strcmp(plan_param_types("SELECT $1 UNION SELECT 1"), "23") == 0);
    TEST_CHECK(strcmp(plan_param_types("SELECT $2::int"),
                      "42P18 could not determine data type of parameter $1 []") == 0);
}

/* The estimated rows of the first function scan of `sql`'s plan, or -1. With `param`: $1 is
 * declared of its type and bound to it, as the server plans a custom plan after Bind. */
static double plan_funcscan_rows(const char *sql, const sql_value *param) {
    sdb_ctx c;
    rt_err err;
    rt_err_clear(&err);
    sdb_ctx_open(&c, sql, &err);
    sql_stmt_list list;
    sql_query *q = NULL;
    if (param != NULL) {
        c.bc.nparams = 1;
        c.bc.param_types = &param->type_oid;
        c.bc.param_values = param;
        sql_stats_plan_params_begin(param, 1, NULL);
    }
    if (!sql_parse(c.arena, sql, (uint32_t)strlen(sql), &list, &err) || list.count != 1 ||
        !sql_bind_query(&c.bc, list.stmts[0].node, &q)) {
        q = NULL;
    }
    if (param != NULL) sql_stats_plan_params_end();
    const sql_plan *p = q != NULL ? q->plan : NULL;
    while (p != NULL && p->kind != SQL_P_FUNCSCAN) p = p->left;
    double rows = p != NULL ? p->est_rows : -1;
    if (q == NULL) rt_log(RT_LOG_ERROR, NULL, "%s: %s", sql, err.message);
    sdb_ctx_close(&c);
    return rows;
}

/* unnest estimates its array's elements as PostgreSQL's array_unnest_support does: a
 * constant's count (a custom plan's bound parameter's too), ARRAY[...]'s length, 10 for an
 * array it cannot count; at least one row. */
static void plan_unnest_rows(void) {
    TEST_CHECK(plan_funcscan_rows("SELECT * FROM unnest(ARRAY[1, 2, 3])", NULL) == 3);
    TEST_CHECK(plan_funcscan_rows("SELECT * FROM unnest('{1,2,3,4}'::int[])", NULL) == 4);
    TEST_CHECK(plan_funcscan_rows("SELECT * FROM unnest(ARRAY[ARRAY[1, 2], ARRAY[3, 4]])", NULL)
               == 4);
    TEST_CHECK(plan_funcscan_rows("SELECT * FROM unnest('{}'::int[])", NULL) == 1);
    TEST_CHECK(plan_funcscan_rows("SELECT * FROM unnest(NULL::int[])", NULL) == 1);
    TEST_CHECK(plan_funcscan_rows("SELECT * FROM unnest('{a,b}'::text[]) WITH ORDINALITY", NULL)
               == 2);
    TEST_CHECK(plan_funcscan_rows("SELECT * FROM unnest(ARRAY[ARRAY[random()]])", NULL) == 10);
    TEST_CHECK(plan_funcscan_rows("SELECT * FROM unnest($1::int[])", NULL) == 10);
    sql_array_builder ab;
    rt_arena *arena = rt_arena_create(1u << 20);
    TEST_CHECK(arena != NULL && sql_array_builder_init(&ab, arena, SQL_T_INT4));
    for (int64_t i = 0; i < 5; i++) {
        sql_value e = {.type_oid = SQL_T_INT4, .i64 = i};
        TEST_CHECK(sql_array_builder_add(&ab, &e));
    }
    sql_value a = {.type_oid = SQL_T_INT4_ARRAY};
    TEST_CHECK(sql_array_builder_finish(&ab, &a.b));
    TEST_CHECK(plan_funcscan_rows("SELECT * FROM unnest($1)", &a) == 5);
    rt_arena_destroy(arena);
    CHECK_ROWS("SELECT * FROM unnest(ARRAY[1, 2, 3])", "1\n2\n3\n");
}

/* Subqueries: an uncorrelated IN a semi-join, NOT IN a hashed SubPlan (as PostgreSQL 15),
 * hash joins across types and aliases, IN lists. */
static void plan_explain_subplans(void) {
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT id FROM t WHERE id IN (SELECT tid FROM u)",
               "Hash Semi Join\n"
               "  Hash Cond: (t.id = u.tid)\n"
               "  ->  Gather\n"
               "        Partitions: 4\n"
               "        ->  Seq Scan on t\n"
               "  ->  Hash\n"
               "        ->  Gather\n"
               "              Partitions: 3\n"
               "              ->  Seq Scan on u\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT id FROM t WHERE id NOT IN (SELECT tid FROM u)",
               "Gather\n"
               "  Partitions: 4\n"
               "  Filter: (NOT (hashed SubPlan 1))\n"
               "  ->  Seq Scan on t\n"
               "  SubPlan 1\n"
               "    ->  Gather\n"
               "          Partitions: 3\n"
               "          ->  Seq Scan on u\n");
    /* A few distinct keys look t up by its primary key: the semi-join as an inner join over
     * u made unique on the key (PostgreSQL's HashAggregate), the same rows. */
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT name FROM t WHERE id IN "
               "(SELECT tid FROM u WHERE tag = 'c')",
               "Nested Loop\n"
               "  ->  HashAggregate\n"
               "        Group Key: u.tid\n"
               "        ->  Gather\n"
               "              Partitions: 3\n"
               "              ->  Seq Scan on u\n"
               "                    Filter: (tag = 'c'::text)\n"
               "  ->  Gather\n"
               "        Partitions: 1\n"
               "        ->  Index Scan using t_pkey on t\n"
               "              Index Cond: (id = u.tid)\n");
    CHECK_ROWS("SELECT name FROM t WHERE id IN (SELECT tid FROM u WHERE tag IN ('a', 'b', 'c')) "
               "ORDER BY 1", "one\nthree\n");
    CHECK_ROWS("SELECT id FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.tid = t.id) ORDER BY id "
               "FOR UPDATE", "1\n3\n");
    CHECK_ROWS("SELECT id FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.tid = t.id) "
               "AND t.id IN (SELECT tid + 1 FROM u) ORDER BY id", "2\n4\n");
    /* A semi-join below another join: the join above copies its rows whole, inner (text)
     * columns too, which the semi-join must have written (as NULLs). */
    CHECK_ROWS("SELECT t.name, u.tag FROM t JOIN u ON u.tid = t.id "
               "WHERE t.name IN (SELECT name FROM t WHERE x > 15) ORDER BY 1, 2", "three|c\n");
    CHECK_ROWS("SELECT u.tag, t.name FROM u JOIN t ON u.tid = t.id "
               "WHERE u.tag IN (SELECT tag FROM u WHERE uid > 100) ORDER BY 1, 2",
               "b|one\nc|three\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT id FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.tid = t.id) "
               "AND EXISTS (SELECT 1 FROM u WHERE u.tid > t.id)",
               "Nested Loop Semi Join\n"
               "  Join Filter: (u_1.tid > t.id)\n"
               "  ->  Hash Anti Join\n"
               "        Hash Cond: (t.id = u.tid)\n"
               "        ->  Gather\n"
               "              Partitions: 4\n"
               "              ->  Seq Scan on t\n"
               "        ->  Hash\n"
               "              ->  Gather\n"
               "                    Partitions: 3\n"
               "                    ->  Seq Scan on u\n"
               "  ->  Gather\n"
               "        Partitions: 3\n"
               "        ->  Seq Scan on u u_1\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT name, (SELECT count(*) FROM u WHERE u.tid = t.id) FROM t",
               "Gather\n"
               "  Partitions: 4\n"
               "  ->  Seq Scan on t\n"
               "  SubPlan 1\n"
               "    ->  Finalize Aggregate\n"
               "          ->  Gather\n"
               "                Partitions: 3\n"
               "                ->  Partial Aggregate\n"
               "                      ->  Seq Scan on u\n"
               "                            Filter: (tid = t.id)\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT u.tag FROM t JOIN u ON u.uid = t.id",
               "Hash Join\n"
               "  Hash Cond: (t.id = u.uid)\n"
               "  ->  Gather\n"
               "        Partitions: 4\n"
               "        ->  Seq Scan on t\n"
               "  ->  Hash\n"
               "        ->  Gather\n"
               "              Partitions: 3\n"
               "              ->  Seq Scan on u\n");
    /* Few rows pass x = 20 (no statistics: PostgreSQL's default selectivity), so each is
     * looked up by the primary key of t1 on its own shard. */
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT t1.name FROM t t1 JOIN t t2 ON t1.id = t2.id "
               "WHERE t2.x = 20",
               "Nested Loop\n"
               "  ->  Gather\n"
               "        Partitions: 4\n"
               "        ->  Seq Scan on t t2\n"
               "              Filter: (x = 20)\n"
               "  ->  Gather\n"
               "        Partitions: 1\n"
               "        ->  Index Scan using t_pkey on t t1\n"
               "              Index Cond: (id = t2.id)\n");
    CHECK_ROWS("SELECT t1.name FROM t t1 JOIN t t2 ON t1.id = t2.id WHERE t2.x = 20", "two\n");
    /* Both tables partitioned on the join key with the same partition count: joined per
     * partition on its shard. */
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT t1.name FROM t t1 JOIN t t2 ON t1.id = t2.id",
               "Gather\n"
               "  Partitions: 4\n"
               "  ->  Hash Join\n"
               "        Hash Cond: (t1.id = t2.id)\n"
               "        ->  Seq Scan on t t1\n"
               "        ->  Hash\n"
               "              ->  Seq Scan on t t2\n");
    CHECK_ROWS("SELECT t1.name, t2.x FROM t t1 JOIN t t2 ON t1.id = t2.id ORDER BY 2",
               "one|10\ntwo|20\nthree|30\nfour|40\nfive|NULL\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT id FROM t WHERE id IN (1, 1) AND name LIKE 'a%'",
               "Gather\n"
               "  Partitions: 1\n"
               "  ->  Seq Scan on t\n"
               "        Filter: ((id = ANY ('{1,1}'::bigint[])) AND (name ~~ 'a%'::text))\n");
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT id FROM t WHERE x IN (1, 2) AND name LIKE 'a%'",
               "Gather\n"
               "  Partitions: 4\n"
               "  ->  Seq Scan on t\n"
               "        Filter: ((x = ANY ('{1,2}'::integer[])) AND (name ~~ 'a%'::text))\n");
    /* Keys 1..5 of t live in as many partitions (of 4) as te_partition_of says. */
    bool seen[4] = {false};
    uint32_t parts = 0;
    for (int64_t id = 1; id <= 5; id++) {
        uint32_t p = te_partition_of(id, 4);
        parts += !seen[p];
        seen[p] = true;
    }
    char want[256];
    snprintf(want, sizeof want, "Gather\n  Partitions: %u\n  ->  Seq Scan on t\n"
             "        Filter: (id = ANY ('{1,2,3,4,5}'::bigint[]))\n", parts);
    CHECK_ROWS("EXPLAIN (COSTS OFF) SELECT id FROM t WHERE id IN (1, 2, 3, 4, 5)", want);
}

/* Columns the scans of table `name` in plan p read (summed over its scans). */
static uint32_t plan_scan_cols(const sql_plan *p, const char *name) {
    if (p == NULL) return 0;
    uint32_t n = 0;
    bool scan = p->kind == SQL_P_SCAN || p->kind == SQL_P_PKGET;
    if (scan && strcmp(p->scan.table->name, name) == 0) {
        n += p->scan.natts;
    }
    if (p->kind == SQL_P_APPEND) {
        for (uint32_t i = 0; i < p->append.ninputs; i++) {
            n += plan_scan_cols(p->append.inputs[i], name);
        }
    }
    return n + plan_scan_cols(p->left, name) + plan_scan_cols(p->right, name);
}

static uint32_t plan_cols_of(const char *sql, const char *table) {
    sdb_ctx c;
    rt_err err;
    rt_err_clear(&err);
    const sql_query *q = sdb_bind(&c, sql, &err);
    uint32_t n = q != NULL ? plan_scan_cols(q->plan, table) : 999;
    if (q == NULL) rt_log(RT_LOG_ERROR, NULL, "%s: %s", sql, err.message);
    sdb_ctx_close(&c);
    return n;
}

/* Scans read only the columns something above them uses. */
static void plan_pruning(void) {
    TEST_CHECK(plan_cols_of("SELECT name FROM t WHERE x > 1", "t") == 2);
    TEST_CHECK(plan_cols_of("SELECT t.name, u.tag FROM t JOIN u ON t.id = u.tid", "t") == 2);
    TEST_CHECK(plan_cols_of("SELECT t.name, u.tag FROM t JOIN u ON t.id = u.tid", "u") == 2);
    TEST_CHECK(plan_cols_of("SELECT count(*) FROM t JOIN u ON t.id = u.tid", "u") == 1);
    TEST_CHECK(plan_cols_of("SELECT tid, count(*) FROM u GROUP BY tid", "u") == 1);
    TEST_CHECK(plan_cols_of("SELECT s.n FROM (SELECT name AS n, x FROM t) s ORDER BY s.x", "t")
               == 2);
    TEST_CHECK(plan_cols_of("SELECT count(*) FROM t", "t") == 1);
    /* A correlated subquery reads its enclosing row by position: that row stays whole. */
    TEST_CHECK(plan_cols_of("SELECT (SELECT count(*) FROM u WHERE u.tid = t.id) FROM t", "t") ==
               3);
    TEST_CHECK(plan_cols_of("SELECT DISTINCT name FROM t", "t") == 1);
    TEST_CHECK(plan_cols_of("UPDATE t SET x = 1 WHERE name = 'a'", "t") == 3);
}

static void plan_fiber(void *arg) {
    (void)arg;
    plan_setup();
    plan_selects();
    plan_joins_aggs();
    plan_subqueries();
    plan_more();
    plan_pruning();
    plan_explain();
    plan_fold();
    plan_explain_more();
    plan_explain_subplans();
    plan_hash_right();
    plan_probe_first_joins();
    plan_unnest_rows();
    plan_param_inference();
    plan_sequences();
    plan_modify();
    rt_runtime_stop();
}

static void test_sql_plan_end_to_end(void **state) {
    (void)state;
    assert_int_equal(sdb_run(2, plan_fiber, NULL), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_plan_end_to_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
