/* test_sql_parse.c: the SQL parser: tree shapes, statements, errors, limits.
 * How: parses statements and compares the tree, printed as an S-expression by
 * sql_ast_dump.h, with the expected shape (precedence, canonical type names, normalised
 * special syntax, every expression kind); checks the fields of utility statements directly;
 * compares errors (SQLSTATE, message, 1-based character position) with what PostgreSQL 15
 * reported for the same input (the table below was recorded from a PostgreSQL 15 server with
 * psycopg2, whose diag fields are psql's); checks statement spans of multi-statement strings,
 * keywords used as names, and the nesting limit (54001) both at the limit and past it, on a
 * stack as small as a fiber's. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/rt_limits.h"
#include "sql/sql_ast.h"
#include "sql_ast_dump.h"

static rt_arena *test_arena;

static int parse_setup(void **state) {
    test_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    return 0;
}

static int parse_teardown(void **state) {
    rt_arena_destroy(test_arena);
    return 0;
}

/* Parses one statement; fails the test on an error. */
static sql_node *parse_one(const char *sql) {
    rt_err err;
    rt_err_clear(&err);
    sql_stmt_list out;
    if (!sql_parse(test_arena, sql, (uint32_t)strlen(sql), &out, &err)) {
        fail_msg("parsing \"%s\": %s %s (position %u)", sql, err.sqlstate, err.message,
                 err.position);
    }
    assert_int_equal(out.count, 1);
    return out.stmts[0].node;
}

static void expect_shape(const char *sql, const char *shape) {
    char *dump = sql_ast_dump(parse_one(sql));
    if (strcmp(dump, shape) != 0) {
        fprintf(stderr, "sql:  %s\nwant: %s\ngot:  %s\n", sql, shape, dump);
    }
    assert_string_equal(dump, shape);
    free(dump);
}

/* The target expression of `SELECT <expr>`. */
static void expect_expr(const char *expr, const char *shape) {
    char sql[1024], want[2048];
    snprintf(sql, sizeof sql, "SELECT %s", expr);
    snprintf(want, sizeof want, "(select (targets (target %s)))", shape);
    expect_shape(sql, want);
}

static void expect_error(const char *sql, const char *sqlstate, const char *message,
                         uint32_t position) {
    rt_err err;
    rt_err_clear(&err);
    sql_stmt_list out;
    if (sql_parse(test_arena, sql, (uint32_t)strlen(sql), &out, &err)) {
        fail_msg("\"%s\" parsed without error", sql);
    }
    if (strcmp(err.message, message) != 0 || err.position != position ||
        strcmp(err.sqlstate, sqlstate) != 0) {
        fprintf(stderr, "sql:  %s\nwant: %s %s %u\ngot:  %s %s %u\n", sql, sqlstate, message,
                position, err.sqlstate, err.message, err.position);
    }
    assert_string_equal(err.sqlstate, sqlstate);
    assert_string_equal(err.message, message);
    assert_int_equal(err.position, position);
}

/* ---- precedence and associativity ---- */

static void test_sql_parse_precedence(void **state) {
    expect_expr("a + b * c", "(op + (col a) (op * (col b) (col c)))");
    expect_expr("a * b + c", "(op + (op * (col a) (col b)) (col c))");
    expect_expr("a - b - c", "(op - (op - (col a) (col b)) (col c))");
    expect_expr("NOT a = b", "(not (op = (col a) (col b)))");
    expect_expr("a OR b AND c", "(or (col a) (and (col b) (col c)))");
    expect_expr("a AND b OR c", "(or (and (col a) (col b)) (col c))");
    expect_expr("a AND b AND c", "(and (col a) (col b) (col c))");
    expect_expr("NOT NOT a", "(not (not (col a)))");
    expect_expr("a AND NOT b OR c", "(or (and (col a) (not (col b))) (col c))");
    expect_expr("-x^2", "(op ^ (op - (col x)) 2)");
    expect_expr("-2^2", "(op ^ -2 2)");
    expect_expr("2 ^ 3 ^ 2", "(op ^ (op ^ 2 3) 2)");
    expect_expr("5 % 3 * 2", "(op * (op % 5 3) 2)");
    expect_expr("-1::int", "(op - (cast 1 (type int4)))");
    expect_expr("a || b = c || d", "(op = (op || (col a) (col b)) (op || (col c) (col d)))");
    expect_expr("a + b || c", "(op || (op + (col a) (col b)) (col c))");
    expect_expr("|/ 16 + 9", "(op |/ (op + 16 9))");
    expect_expr("~ a || b", "(op || (op ~ (col a)) (col b))");
    expect_expr("a = b IS TRUE", "(is-true (op = (col a) (col b)))");
    expect_expr("a IS NULL = b", "(op = (isnull (col a)) (col b))");
    expect_expr("1 + 1 IS NULL BETWEEN true AND false",
                "(between (isnull (op + 1 1)) true false)");
    expect_expr("a BETWEEN 1 AND 2 = true", "(op = (between (col a) 1 2) true)");
    expect_expr("a LIKE b || c", "(like (col a) (op || (col b) (col c)))");
    expect_expr("1 + 2 AT TIME ZONE 'utc'",
                "(op + 1 (func pg_catalog.timezone 'utc' 2))");
    expect_expr("- 'a' COLLATE \"C\"", "(collate (op - 'a') C)");
    expect_expr("a = ANY(b) = true", "(op = (any = (col a) (col b)) true)");
    expect_expr("a IS NULL IS NULL", "(isnull (isnull (col a)))");
    expect_expr("a IN (1) IN (true)", "(in (in (col a) 1) true)");
}

static void test_sql_parse_nonassociative_errors(void **state) {
    expect_error("SELECT 1 = 2 = 3", "42601", "syntax error at or near \"=\"", 14);
    expect_error("SELECT a < b > c", "42601", "syntax error at or near \">\"", 14);
    expect_error("SELECT a LIKE b ILIKE c", "42601", "syntax error at or near \"ILIKE\"", 17);
    expect_error("SELECT a IS DISTINCT FROM b IS NULL", "42601", "syntax error at or near \"IS\"",
                 29);
    expect_error("SELECT 1 < 2 = true", "42601", "syntax error at or near \"=\"", 14);
    /* BETWEEN's lower bound is a b_expr, which has no `op ANY (...)` */
    expect_error("SELECT 1 BETWEEN 2 = ANY(ARRAY[1]) AND 3", "42601",
                 "syntax error at or near \"ANY\"", 22);
}

/* ---- expression kinds ---- */

static void test_sql_parse_constants(void **state) {
    expect_expr("42", "42");
    expect_expr("-42", "-42");
    expect_expr("9223372036854775807", "9223372036854775807");
    expect_expr("-9223372036854775808", "-9223372036854775808");
    expect_expr("9223372036854775808", "(num 9223372036854775808)");
    expect_expr("- -1", "1");
    expect_expr("1.5e10", "(num 1.5e10)");
    expect_expr("-1.5", "(num -1.5)");
    expect_expr("'it''s'", "'it's'");
    expect_expr("E'a\\tb'", "'a\tb'");
    expect_expr("$$x$$", "'x'");
    expect_expr("B'101'", "(bits 101)");
    expect_expr("X'1F'", "(bits x1F)");
    expect_expr("TRUE", "true");
    expect_expr("NULL", "null");
    expect_expr("$3", "$3");
    expect_expr("N'abc'", "(cast 'abc' (type bpchar))");
    sql_select *s = (sql_select *)parse_one("SELECT 7");
    sql_target *t = SQL_LIST_AT(s->targets, 0);
    sql_const *c = (sql_const *)t->expr;
    assert_int_equal(c->const_kind, SQL_CONST_INTEGER);
    assert_int_equal(c->int_value, 7);
    assert_string_equal(c->text, "7");
    assert_int_equal(c->hdr.location, 7);
}

static void test_sql_parse_casts_and_types(void **state) {
    expect_expr("x::int", "(cast (col x) (type int4))");
    expect_expr("x::integer[]", "(cast (col x) (type int4 []x1))");
    expect_expr("x::int ARRAY", "(cast (col x) (type int4 []x1))");
    expect_expr("x::int[3][4]", "(cast (col x) (type int4 []x2))");
    expect_expr("CAST(x AS smallint)", "(cast (col x) (type int2))");
    expect_expr("x::bigint", "(cast (col x) (type int8))");
    expect_expr("x::real", "(cast (col x) (type float4))");
    expect_expr("x::double precision", "(cast (col x) (type float8))");
    expect_expr("x::float", "(cast (col x) (type float8))");
    expect_expr("x::float(24)", "(cast (col x) (type float4))");
    expect_expr("x::float(25)", "(cast (col x) (type float8))");
    expect_expr("x::decimal(10,2)", "(cast (col x) (type numeric (mods 10 2)))");
    expect_expr("x::numeric", "(cast (col x) (type numeric))");
    expect_expr("x::boolean", "(cast (col x) (type bool))");
    expect_expr("x::character varying(5)", "(cast (col x) (type varchar (mods 5)))");
    expect_expr("x::varchar", "(cast (col x) (type varchar))");
    expect_expr("x::char", "(cast (col x) (type bpchar (mods 1)))");
    expect_expr("x::character(3)", "(cast (col x) (type bpchar (mods 3)))");
    expect_expr("x::national character varying", "(cast (col x) (type varchar))");
    expect_expr("x::bit", "(cast (col x) (type bit (mods 1)))");
    expect_expr("x::bit varying(8)", "(cast (col x) (type varbit (mods 8)))");
    expect_expr("x::timestamp", "(cast (col x) (type timestamp))");
    expect_expr("x::timestamp without time zone", "(cast (col x) (type timestamp))");
    expect_expr("x::timestamp(3) with time zone", "(cast (col x) (type timestamptz (mods 3)))");
    expect_expr("x::time with time zone", "(cast (col x) (type timetz))");
    expect_expr("x::interval day to second(3)",
                "(cast (col x) (type interval (mods 3) (fields 7176)))");
    expect_expr("x::interval year to month", "(cast (col x) (type interval (fields 6)))");
    expect_expr("x::interval(2)", "(cast (col x) (type interval (mods 2)))");
    expect_expr("x::vector(3)", "(cast (col x) (type vector (mods 3)))");
    expect_expr("x::pg_catalog.int4", "(cast (col x) (type pg_catalog.int4))");
    expect_expr("x::text", "(cast (col x) (type text))");
    expect_expr("x::serial", "(cast (col x) (type serial))");
    expect_expr("DATE '2024-01-01'", "(cast '2024-01-01' (type date))");
    expect_expr("INTERVAL '1 day'", "(cast '1 day' (type interval))");
    expect_expr("INTERVAL '1' DAY", "(cast '1' (type interval (fields 8)))");
    expect_expr("INTERVAL(2) '1.5 s'", "(cast '1.5 s' (type interval (mods 2)))");
    expect_expr("TIMESTAMP WITH TIME ZONE '2020-01-01'", "(cast '2020-01-01' (type timestamptz))");
    expect_expr("INT '1'", "(cast '1' (type int4))");
    expect_expr("DOUBLE PRECISION '1.5'", "(cast '1.5' (type float8))");
    expect_expr("CHAR 'abc'", "(cast 'abc' (type bpchar))");
    expect_expr("numeric(10,2) '1.5'", "(cast '1.5' (type numeric (mods 10 2)))");
    expect_expr("vector(3) '[1,2,3]'", "(cast '[1,2,3]' (type vector (mods 3)))");
    expect_expr("'[1,2,3]'::vector", "(cast '[1,2,3]' (type vector))");
    expect_expr("x::setof int", "(cast (col x) (type int4 setof))");
    expect_expr("x::t.c%TYPE", "(cast (col x) (type t.c %type))");
}

static void test_sql_parse_special_syntax(void **state) {
    expect_expr("EXTRACT(year FROM d)", "(func pg_catalog.extract 'year' (col d))");
    expect_expr("EXTRACT('YEAR' FROM d)", "(func pg_catalog.extract 'YEAR' (col d))");
    expect_expr("POSITION('a' IN s)", "(func pg_catalog.position (col s) 'a')");
    expect_expr("SUBSTRING(s FROM 2 FOR 3)", "(func pg_catalog.substring (col s) 2 3)");
    expect_expr("SUBSTRING(s FOR 3 FROM 2)", "(func pg_catalog.substring (col s) 2 3)");
    expect_expr("SUBSTRING(s FROM 2)", "(func pg_catalog.substring (col s) 2)");
    expect_expr("SUBSTRING(s FOR 3)", "(func pg_catalog.substring (col s) 1 3)");
    expect_expr("SUBSTRING(s SIMILAR 'a' ESCAPE '#')",
                "(func pg_catalog.substring (col s) 'a' '#')");
    expect_expr("SUBSTRING(s, 2, 3)", "(func substring (col s) 2 3)");
    expect_expr("TRIM(s)", "(func pg_catalog.btrim (col s))");
    expect_expr("TRIM(BOTH 'x' FROM s)", "(func pg_catalog.btrim (col s) 'x')");
    expect_expr("TRIM(LEADING FROM s)", "(func pg_catalog.ltrim (col s))");
    expect_expr("TRIM(TRAILING 'x' FROM s)", "(func pg_catalog.rtrim (col s) 'x')");
    expect_expr("TRIM(s, 'x')", "(func pg_catalog.btrim (col s) 'x')");
    expect_expr("OVERLAY(s PLACING 'x' FROM 2 FOR 1)",
                "(func pg_catalog.overlay (col s) 'x' 2 1)");
    expect_expr("OVERLAY(s PLACING 'x' FROM 2)", "(func pg_catalog.overlay (col s) 'x' 2)");
    expect_expr("t AT TIME ZONE 'UTC'", "(func pg_catalog.timezone 'UTC' (col t))");
    expect_expr("COLLATION FOR (x)", "(func pg_catalog.pg_collation_for (col x))");
    expect_expr("NORMALIZE(x, NFKC)", "(func pg_catalog.normalize (col x) 'nfkc')");
    expect_expr("x IS NFC NORMALIZED", "(func pg_catalog.is_normalized (col x) 'nfc')");
    expect_expr("COALESCE(a, b, 1)", "(coalesce (col a) (col b) 1)");
    expect_expr("NULLIF(a, b)", "(nullif (col a) (col b))");
    expect_expr("GREATEST(1, 2)", "(greatest 1 2)");
    expect_expr("LEAST(1, 2)", "(least 1 2)");
    expect_expr("CURRENT_DATE", "(sqlvalue 1)");
    expect_expr("CURRENT_TIMESTAMP(3)", "(sqlvalue 3 3)");
    expect_expr("LOCALTIMESTAMP", "(sqlvalue 5)");
    expect_expr("CURRENT_USER", "(sqlvalue 7)");
    expect_expr("CURRENT_SCHEMA", "(sqlvalue 11)");
    expect_expr("current_schema()", "(func current_schema)");
    expect_expr("GROUPING(a, b)", "(grouping (col a) (col b))");
}

static void test_sql_parse_predicates(void **state) {
    expect_expr("a IS NULL", "(isnull (col a))");
    expect_expr("a ISNULL", "(isnull (col a))");
    expect_expr("a NOTNULL", "(notnull (col a))");
    expect_expr("a IS NOT NULL", "(notnull (col a))");
    expect_expr("a IS TRUE", "(is-true (col a))");
    expect_expr("a IS NOT FALSE", "(is-not-false (col a))");
    expect_expr("a IS UNKNOWN", "(is-unknown (col a))");
    expect_expr("a IS DISTINCT FROM b", "(distinct (col a) (col b))");
    expect_expr("a IS NOT DISTINCT FROM b", "(not-distinct (col a) (col b))");
    expect_expr("a BETWEEN 1 AND 2", "(between (col a) 1 2)");
    expect_expr("a NOT BETWEEN SYMMETRIC 2 AND 1", "(not-between-symmetric (col a) 2 1)");
    expect_expr("a LIKE 'x%'", "(like (col a) 'x%')");
    expect_expr("a NOT ILIKE 'x' ESCAPE '!'", "(not-ilike (col a) 'x' (escape '!'))");
    expect_expr("a SIMILAR TO 'x'", "(similar (col a) 'x')");
    expect_expr("a NOT SIMILAR TO 'x' ESCAPE 'y'", "(not-similar (col a) 'x' (escape 'y'))");
    expect_expr("a IN (1, 2)", "(in (col a) 1 2)");
    expect_expr("a NOT IN (1)", "(not-in (col a) 1)");
    expect_expr("(a, b) IN ((1, 2), (3, 4))", "(in (row (col a) (col b)) (row 1 2) (row 3 4))");
    expect_expr("a IN (SELECT 1)", "(sublink-any = (col a) (select (targets (target 1))))");
    expect_expr("a NOT IN (SELECT 1)",
                "(not (sublink-any = (col a) (select (targets (target 1)))))");
    expect_expr("a IN ((SELECT 1))", "(sublink-any = (col a) (select (targets (target 1))))");
    expect_expr("a IN ((SELECT 1), 2)",
                "(in (col a) (sublink-expr (select (targets (target 1)))) 2)");
    expect_expr("a = ANY(ARRAY[1, 2])", "(any = (col a) (array 1 2))");
    expect_expr("a < ALL($1)", "(all < (col a) $1)");
    expect_expr("a = SOME(SELECT 1)", "(sublink-any = (col a) (select (targets (target 1))))");
    expect_expr("a <> ALL(SELECT 1)", "(sublink-all <> (col a) (select (targets (target 1))))");
    expect_expr("a LIKE ANY(ARRAY['x'])", "(any ~~ (col a) (array 'x'))");
    expect_expr("a NOT ILIKE ALL(b)", "(all !~~* (col a) (col b))");
    expect_expr("EXISTS (SELECT 1)", "(sublink-exists (select (targets (target 1))))");
}

static void test_sql_parse_operators(void **state) {
    static const char *const ops[] = {"->>", "->", "@>", "<@", "?|", "?&", "#>>", "||", "~~*",
                                      "!~~", "<->", "<=>", "<#>", "~", "!~*", "&&"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char sql[64], shape[128];
        snprintf(sql, sizeof sql, "a %s b", ops[i]);
        snprintf(shape, sizeof shape, "(op %s (col a) (col b))", ops[i]);
        expect_expr(sql, shape);
    }
    expect_expr("a != b", "(op <> (col a) (col b))");
    expect_expr("a >= b", "(op >= (col a) (col b))");
    expect_expr("a OPERATOR(pg_catalog.+) b", "(op pg_catalog.+ (col a) (col b))");
    expect_expr("OPERATOR(pg_catalog.~) a", "(op pg_catalog.~ (col a))");
    expect_expr("@ -5", "(op @ -5)");
}

static void test_sql_parse_structured_values(void **state) {
    expect_expr("ARRAY[1, 2]", "(array 1 2)");
    expect_expr("ARRAY[[1, 2], [3, 4]]", "(array (array 1 2) (array 3 4))");
    expect_expr("ARRAY[]::int[]", "(cast (array) (type int4 []x1))");
    expect_expr("ARRAY(SELECT 1)", "(sublink-array (select (targets (target 1))))");
    expect_expr("ROW(1, 2)", "(ROW 1 2)");
    expect_expr("ROW()", "(ROW)");
    expect_expr("(1, 2)", "(row 1 2)");
    expect_expr("((1, 2))", "(row 1 2)");
    expect_expr("(1)", "1");
    expect_expr("(SELECT 1)", "(sublink-expr (select (targets (target 1))))");
    expect_expr("((SELECT 1))", "(sublink-expr (select (targets (target 1))))");
    expect_expr("((SELECT 1) + 1)", "(op + (sublink-expr (select (targets (target 1)))) 1)");
    expect_expr("(SELECT a FROM t)[1]",
                "(sub (sublink-expr (select (targets (target (col a))) (from (rel t)))) (lo 1))");
    expect_expr("a[1]", "(sub (col a) (lo 1))");
    expect_expr("a[1:2]", "(slice (col a) (lo 1) (hi 2))");
    expect_expr("a[:2]", "(slice (col a) (hi 2))");
    expect_expr("a[1:]", "(slice (col a) (lo 1))");
    expect_expr("a[1][2]", "(sub (sub (col a) (lo 1)) (lo 2))");
    expect_expr("$1[1]", "(sub $1 (lo 1))");
    expect_expr("(a).f", "(field (col a) f)");
    expect_expr("(a).*", "(field (col a) *)");
    expect_expr("(f(x)).y", "(field (func f (col x)) y)");
    expect_expr("a.b[1].c", "(field (sub (col a.b) (lo 1)) c)");
    expect_expr("t.*", "(star t)");
    expect_expr("s.t.*", "(star s.t)");
    expect_expr("db.s.t.c", "(col db.s.t.c)");
    expect_expr("a COLLATE \"C\"", "(collate (col a) C)");
    expect_expr("a COLLATE pg_catalog.\"default\"", "(collate (col a) pg_catalog.default)");
    expect_expr("CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END",
                "(case (when (col a) 1 (col b) 2) (else 3))");
    expect_expr("CASE x WHEN 1 THEN 'a' END", "(case (arg (col x)) (when 1 'a'))");
    expect_expr("DEFAULT", "default");
}

static void test_sql_parse_function_calls(void **state) {
    expect_expr("f()", "(func f)");
    expect_expr("s.f(1, 2)", "(func s.f 1 2)");
    expect_expr("count(*)", "(func count *)");
    expect_expr("count(DISTINCT x)", "(func count distinct (col x))");
    expect_expr("count(ALL x)", "(func count (col x))");
    expect_expr("string_agg(x, ',' ORDER BY y DESC)",
                "(func string_agg (col x) ',' (order (sort (col y) desc)))");
    expect_expr("f(a => 1, b := 2)", "(func f a=>1 b=>2)");
    expect_expr("f(1, b => 2)", "(func f 1 b=>2)");
    expect_expr("f(VARIADIC a)", "(func f variadic (col a))");
    expect_expr("f(1, VARIADIC a)", "(func f variadic 1 (col a))");
    expect_expr("percentile_cont(0.5) WITHIN GROUP (ORDER BY x)",
                "(func percentile_cont (num 0.5) (within (sort (col x))))");
    expect_expr("count(*) FILTER (WHERE x > 0)", "(func count * (filter (op > (col x) 0)))");
    expect_expr("sum(x) OVER w", "(func sum (col x) (over (window (ref w))))");
    expect_expr("sum(x) OVER ()", "(func sum (col x) (over (window)))");
    expect_expr("rank() OVER (w PARTITION BY a ORDER BY b RANGE UNBOUNDED PRECEDING)",
                "(func rank (over (window (ref w) (partition (col a)) (order (sort (col b))) "
                "(range unbounded-preceding))))");
    expect_expr("sum(x) OVER (ROWS BETWEEN 1 PRECEDING AND 2 FOLLOWING EXCLUDE TIES)",
                "(func sum (col x) (over (window (rows preceding (off 1) following (off 2) "
                "exclude3))))");
    expect_expr("sum(x) OVER (GROUPS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)",
                "(func sum (col x) (over (window (groups current-row unbounded-following))))");
    expect_expr("left('abc', 1)", "(func left 'abc' 1)");
    expect_expr("(a, b) OVERLAPS (c, d)",
                "(func pg_catalog.overlaps (col a) (col b) (col c) (col d))");
    expect_error("SELECT f(x => 1, 2)", "42601",
                 "positional argument cannot follow named argument", 18);
    expect_error("SELECT f(1 ORDER BY 2) 'x'", "42601", "type modifier cannot have ORDER BY", 12);
    expect_error("SELECT f(a => 1) 'x'", "42601", "type modifier cannot have parameter name", 10);
    expect_error("SELECT ROW(1) OVERLAPS ROW(1,2)", "42601",
                 "wrong number of parameters on left side of OVERLAPS expression", 8);
    expect_error("SELECT (1) OVERLAPS (1,2)", "42601", "syntax error at or near \"OVERLAPS\"", 12);
}

/* ---- queries ---- */

static void test_sql_parse_benchmark_statements(void **state) {
    expect_shape("SELECT * FROM pgbench_accounts WHERE aid = $1",
                 "(select (targets (target (star))) (from (rel pgbench_accounts)) "
                 "(where (op = (col aid) $1)))");
    expect_shape("INSERT INTO documents (user_id, content, embedding) VALUES ($1, $2, $3)",
                 "(insert (rel documents) (cols (target (as user_id)) (target (as content)) "
                 "(target (as embedding))) (values (row $1 $2 $3)))");
    expect_shape("SELECT category, count(*), avg(x) FROM t WHERE a > 10 AND b = 'x' "
                 "GROUP BY category",
                 "(select (targets (target (col category)) (target (func count *)) "
                 "(target (func avg (col x)))) (from (rel t)) (where (and (op > (col a) 10) "
                 "(op = (col b) 'x'))) (group (col category)))");
    expect_shape("SELECT id, content FROM documents WHERE user_id = 'u_441' "
                 "ORDER BY embedding NEAR $1 LIMIT 5",
                 "(select (targets (target (col id)) (target (col content))) "
                 "(from (rel documents)) (where (op = (col user_id) 'u_441')) "
                 "(order (sort (col embedding) (near $1))) (limit 5))");
}

static void test_sql_parse_select_clauses(void **state) {
    expect_shape("SELECT DISTINCT ON (a) a AS x, b y FROM t ORDER BY a DESC NULLS LAST, b USING >",
                 "(select distinct (on (col a)) (targets (target (col a) (as x)) "
                 "(target (col b) (as y))) (from (rel t)) (order (sort (col a) desc nulls-last) "
                 "(sort (col b) using >)))");
    expect_shape("SELECT ALL a FROM t GROUP BY DISTINCT a HAVING count(*) > 1",
                 "(select (targets (target (col a))) (from (rel t)) group-distinct "
                 "(group (col a)) (having (op > (func count *) 1)))");
    expect_shape("SELECT a FROM t GROUP BY ROLLUP(a, (b, c)), CUBE(a), GROUPING SETS ((a), (), b)",
                 "(select (targets (target (col a))) (from (rel t)) (group (rollup (col a) "
                 "(row (col b) (col c))) (cube (col a)) (sets (col a) (empty) (col b))))");
    expect_shape("SELECT 1 GROUP BY ()", "(select (targets (target 1)) (group (empty)))");
    expect_shape("SELECT a FROM t WINDOW w AS (PARTITION BY a), v AS (w ORDER BY b)",
                 "(select (targets (target (col a))) (from (rel t)) (windows (window (name w) "
                 "(partition (col a))) (window (name v) (ref w) (order (sort (col b))))))");
    expect_shape("SELECT a INTO TEMP x FROM t",
                 "(select (targets (target (col a))) (into-temp (rel x)) (from (rel t)))");
    expect_shape("SELECT FROM t", "(select (from (rel t)))");
    expect_shape("SELECT", "(select)");
    expect_shape("VALUES (1, 'a'), (2, DEFAULT)", "(values (row 1 'a') (row 2 default))");
    expect_shape("TABLE s.t", "(select (targets (target (star))) (from (rel s.t)))");
}

static void test_sql_parse_limits_and_locking(void **state) {
    expect_shape("SELECT 1 LIMIT 2 OFFSET 3", "(select (targets (target 1)) (limit 2) (offset 3))");
    expect_shape("SELECT 1 OFFSET 3 ROWS LIMIT ALL", "(select (targets (target 1)) (offset 3))");
    expect_shape("SELECT 1 FETCH FIRST 3 ROWS ONLY", "(select (targets (target 1)) (limit 3))");
    expect_shape("SELECT a FROM t ORDER BY a FETCH NEXT ROW WITH TIES",
                 "(select (targets (target (col a))) (from (rel t)) (order (sort (col a))) "
                 "(limit-ties 1))");
    expect_shape("SELECT a FROM t FOR UPDATE OF t, s.u NOWAIT FOR KEY SHARE SKIP LOCKED",
                 "(select (targets (target (col a))) (from (rel t)) (locking "
                 "(for-update t s.u nowait) (for-key-share skip-locked)))");
    expect_shape("SELECT a FROM t LIMIT 1 FOR NO KEY UPDATE",
                 "(select (targets (target (col a))) (from (rel t)) (limit 1) "
                 "(locking (for-no-key-update)))");
    expect_shape("SELECT a FROM t FOR SHARE LIMIT 1",
                 "(select (targets (target (col a))) (from (rel t)) (limit 1) "
                 "(locking (for-share)))");
    expect_shape("SELECT 1 FOR READ ONLY", "(select (targets (target 1)))");
    /* the limit clauses form one group, with the locking clauses before or after it */
    expect_shape("SELECT a FROM t FOR UPDATE FOR SHARE LIMIT 1 OFFSET 2",
                 "(select (targets (target (col a))) (from (rel t)) (limit 1) (offset 2) "
                 "(locking (for-update) (for-share)))");
    expect_error("SELECT a FROM t LIMIT 1 FOR UPDATE OFFSET 2", "42601",
                 "syntax error at or near \"OFFSET\"", 36);
    expect_error("SELECT a FROM t FOR UPDATE LIMIT 1 FOR SHARE", "42601",
                 "syntax error at or near \"FOR\"", 36);
}

static void test_sql_parse_set_operations(void **state) {
    expect_shape("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3",
                 "(union (select (targets (target 1))) (intersect (select (targets (target 2))) "
                 "(select (targets (target 3)))))");
    expect_shape("SELECT 1 INTERSECT SELECT 2 UNION ALL SELECT 3",
                 "(union-all (intersect (select (targets (target 1))) "
                 "(select (targets (target 2)))) (select (targets (target 3))))");
    expect_shape("SELECT 1 EXCEPT SELECT 2 EXCEPT SELECT 3 ORDER BY 1",
                 "(except (except (select (targets (target 1))) (select (targets (target 2)))) "
                 "(select (targets (target 3))) (order (sort 1)))");
    expect_shape("(SELECT 1) UNION (SELECT 2 ORDER BY 1) LIMIT 1",
                 "(union (select (targets (target 1))) (select (targets (target 2)) "
                 "(order (sort 1))) (limit 1))");
    expect_shape("((SELECT 1) UNION SELECT 2) ORDER BY 1",
                 "(union (select (targets (target 1))) (select (targets (target 2))) "
                 "(order (sort 1)))");
    expect_shape("(SELECT 1) ORDER BY 1", "(select (targets (target 1)) (order (sort 1)))");
}

static void test_sql_parse_with(void **state) {
    expect_shape("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) "
                 "SELECT * FROM t",
                 "(select (with-recursive (cte t (cols n) (union-all (select (targets "
                 "(target 1))) (select (targets (target (op + (col n) 1))) (from (rel t)))))) "
                 "(targets (target (star))) (from (rel t)))");
    expect_shape("WITH a AS MATERIALIZED (SELECT 1), b AS NOT MATERIALIZED (VALUES (2)) "
                 "SELECT 1 UNION SELECT 2",
                 "(union (select (targets (target 1))) (select (targets (target 2))) (with "
                 "(cte a materialized (select (targets (target 1)))) (cte b not-materialized "
                 "(values (row 2)))))");
    expect_shape("WITH d AS (DELETE FROM t RETURNING *) INSERT INTO u SELECT * FROM d",
                 "(insert (rel u) (select (targets (target (star))) (from (rel d))))");
    sql_insert *ins = (sql_insert *)parse_one("WITH d AS (DELETE FROM t) INSERT INTO u VALUES (1)");
    assert_non_null(ins->with);
    assert_int_equal(((sql_cte *)SQL_LIST_AT(ins->with->ctes, 0))->query->kind, SQL_N_DELETE);
}

static void test_sql_parse_from_clause(void **state) {
    expect_shape("SELECT * FROM a JOIN b ON a.x = b.x LEFT JOIN c USING (y) AS j "
                 "CROSS JOIN d NATURAL FULL OUTER JOIN e",
                 "(select (targets (target (star))) (from (natural-join-full (join-cross "
                 "(join-left (join-inner (rel a) (rel b) (on (op = (col a.x) (col b.x)))) "
                 "(rel c) (using y) (using-as j)) (rel d)) (rel e))))");
    expect_shape("SELECT * FROM a JOIN b JOIN c ON x ON y",
                 "(select (targets (target (star))) (from (join-inner (rel a) (join-inner "
                 "(rel b) (rel c) (on (col x))) (on (col y)))))");
    expect_shape("SELECT * FROM a RIGHT JOIN b ON true INNER JOIN c ON true",
                 "(select (targets (target (star))) (from (join-inner (join-right (rel a) "
                 "(rel b) (on true)) (rel c) (on true))))");
    expect_shape("SELECT * FROM ONLY s.t AS x (a, b), u v",
                 "(select (targets (target (star))) (from (rel-only s.t (as x) (cols a b)) "
                 "(rel u (as v))))");
    expect_shape("SELECT * FROM (SELECT 1) AS s(x), LATERAL (SELECT 2) u",
                 "(select (targets (target (star))) (from (sub (select (targets (target 1))) "
                 "(as s) (cols x)) (sub-lateral (select (targets (target 2))) (as u))))");
    expect_shape("SELECT * FROM generate_series(1, 3) WITH ORDINALITY AS g(v, n)",
                 "(select (targets (target (star))) (from (rangefunc-ordinality (f (func "
                 "generate_series 1 3)) (as g) (cols v n))))");
    expect_shape("SELECT * FROM ROWS FROM (f(), g()) AS r",
                 "(select (targets (target (star))) (from (rangefunc (rows-from (func f) "
                 "(func g)) (as r))))");
    expect_shape("SELECT * FROM f() AS (a int)",
                 "(select (targets (target (star))) (from (rangefunc (f (func f)) (defs "
                 "(column a (type int4))))))");
    expect_shape("SELECT * FROM json_to_record('{}') AS x(a int, b text)",
                 "(select (targets (target (star))) (from (rangefunc (f (func json_to_record "
                 "'{}')) (as x) (defs (column a (type int4)) (column b (type text))))))");
    expect_shape("SELECT * FROM ((SELECT 1) s JOIN (SELECT 2) u ON true) AS j",
                 "(select (targets (target (star))) (from (join-inner (sub (select (targets "
                 "(target 1))) (as s)) (sub (select (targets (target 2))) (as u)) (on true) "
                 "(as j))))");
    expect_shape("SELECT * FROM ((SELECT 1) UNION (SELECT 2)) v",
                 "(select (targets (target (star))) (from (sub (union (select (targets "
                 "(target 1))) (select (targets (target 2)))) (as v))))");
    expect_shape("SELECT * FROM ((SELECT 1)) v",
                 "(select (targets (target (star))) (from (sub (select (targets (target 1))) "
                 "(as v))))");
    expect_shape("SELECT * FROM (a CROSS JOIN b)",
                 "(select (targets (target (star))) (from (join-cross (rel a) (rel b))))");
}

static void test_sql_parse_near(void **state) {
    expect_shape("SELECT * FROM t ORDER BY embedding NEAR '[1,2,3]'::vector LIMIT 5",
                 "(select (targets (target (star))) (from (rel t)) (order (sort (col "
                 "embedding) (near (cast '[1,2,3]' (type vector))))) (limit 5))");
    expect_shape("SELECT * FROM t ORDER BY a + b NEAR $1 DESC, c",
                 "(select (targets (target (star))) (from (rel t)) (order (sort (op + (col a) "
                 "(col b)) (near $1) desc) (sort (col c))))");
    /* "near" stays an ordinary name everywhere else */
    expect_shape("SELECT near FROM near AS near WHERE near.near = 1 ORDER BY near NEAR near",
                 "(select (targets (target (col near))) (from (rel near (as near))) (where "
                 "(op = (col near.near) 1)) (order (sort (col near) (near (col near)))))");
    expect_shape("SELECT a near FROM t", "(select (targets (target (col a) (as near))) "
                                         "(from (rel t)))");
    expect_error("SELECT count(x ORDER BY y NEAR z) FROM t", "42601",
                 "syntax error at or near \"NEAR\"", 27);
}

/* Keywords PostgreSQL lets a column be named, as names and as labels. */
static void test_sql_parse_keywords_as_names(void **state) {
    expect_shape("SELECT name, type, key, value, user_id, text, date, year, position, near "
                 "FROM t",
                 "(select (targets (target (col name)) (target (col type)) (target (col key)) "
                 "(target (col value)) (target (col user_id)) (target (col text)) (target "
                 "(col date)) (target (col year)) (target (col position)) (target (col near))) "
                 "(from (rel t)))");
    expect_shape("SELECT int, timestamp, time, interval, char, exists, row FROM t",
                 "(select (targets (target (col int)) (target (col timestamp)) (target "
                 "(col time)) (target (col interval)) (target (col char)) (target (col exists)) "
                 "(target (col row))) (from (rel t)))");
    expect_shape("SELECT t.select, t.from FROM t", "(select (targets (target (col t.select)) "
                                                   "(target (col t.from))) (from (rel t)))");
    expect_shape("SELECT 1 AS select, 2 AS from, 3 value, 4 name",
                 "(select (targets (target 1 (as select)) (target 2 (as from)) (target 3 "
                 "(as value)) (target 4 (as name))))");
    expect_shape("CREATE TABLE t (type text, key int, value text, year int, position int, "
                 "date date, text text, hybrid int)",
                 "(create-table t (columns (column type (type text)) (column key (type int4)) "
                 "(column value (type text)) (column year (type int4)) (column position "
                 "(type int4)) (column date (type date)) (column text (type text)) "
                 "(column hybrid (type int4))))");
    expect_error("SELECT left FROM t", "42601", "syntax error at or near \"FROM\"", 13);
    expect_error("SELECT 1 year", "42601", "syntax error at or near \"year\"", 10);
}

/* ---- DML ---- */

static void test_sql_parse_insert(void **state) {
    expect_shape("INSERT INTO s.t AS x (a, c[1], d.f) OVERRIDING SYSTEM VALUE VALUES (1, 2, 3), "
                 "(DEFAULT, 4, 5) RETURNING *",
                 "(insert (rel s.t (as x)) (cols (target (as a)) (target (as c) (ind (sub  "
                 "(lo 1)))) (target (as d) (ind (field  f)))) overriding-system (values (row 1 2 "
                 "3) (row default 4 5)) (returning (target (star))))");
    expect_shape("INSERT INTO t DEFAULT VALUES", "(insert (rel t) default-values)");
    expect_shape("INSERT INTO t SELECT * FROM u",
                 "(insert (rel t) (select (targets (target (star))) (from (rel u))))");
    expect_shape("INSERT INTO t (SELECT 1)", "(insert (rel t) (select (targets (target 1))))");
    expect_shape("INSERT INTO t VALUES (1) ON CONFLICT (a, lower(b)) WHERE a > 0 DO UPDATE SET "
                 "b = excluded.b WHERE t.b IS NULL RETURNING a AS x",
                 "(insert (rel t) (values (row 1)) (on-conflict update (target (elem a) (elem "
                 "(expr (func lower (col b))))) (target-where (op > (col a) 0)) (set (set b "
                 "(col excluded.b))) (where (isnull (col t.b)))) (returning (target (col a) "
                 "(as x))))");
    expect_shape("INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT k DO NOTHING",
                 "(insert (rel t) (values (row 1)) (on-conflict nothing (constraint k)))");
    expect_shape("INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING",
                 "(insert (rel t) (values (row 1)) (on-conflict nothing))");
}

static void test_sql_parse_update_delete(void **state) {
    expect_shape("UPDATE t AS x SET a = 1, (b, c) = (2, 3), d[1] = DEFAULT FROM u "
                 "WHERE x.id = u.id RETURNING a",
                 "(update (rel t (as x)) (set (set a 1) (set b (multi 0 (row 2 3))) (set c "
                 "(multi 1 (row 2 3))) (set d (ind (sub  (lo 1))) default)) (from (rel u)) "
                 "(where (op = (col x.id) (col u.id))) (returning (target (col a))))");
    expect_shape("UPDATE t SET (a, b) = (SELECT 1, 2) WHERE CURRENT OF c",
                 "(update (rel t) (set (set a (multi 0 (sublink-expr (select (targets (target "
                 "1) (target 2)))))) (set b (multi 1 (sublink-expr (select (targets (target 1) "
                 "(target 2))))))) (current-of c))");
    expect_shape("UPDATE t AS set SET set = 1", "(update (rel t (as set)) (set (set set 1)))");
    expect_error("UPDATE t set set a = 1", "42601", "syntax error at or near \"a\"", 18);
    expect_shape("UPDATE ONLY t x SET a = 1", "(update (rel-only t (as x)) (set (set a 1)))");
    expect_shape("DELETE FROM t USING u, v WHERE t.a = u.a RETURNING t.*",
                 "(delete (rel t) (using (rel u) (rel v)) (where (op = (col t.a) (col u.a))) "
                 "(returning (target (star t))))");
    expect_shape("DELETE FROM t AS x WHERE CURRENT OF c",
                 "(delete (rel t (as x)) (current-of c))");
}

/* ---- DDL ---- */

static void test_sql_parse_create_table(void **state) {
    expect_shape(
        "CREATE TABLE documents (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), user_id TEXT "
        "NOT NULL, content TEXT, created_at TIMESTAMPTZ DEFAULT NOW(), embedding VECTOR(1536))",
        "(create-table documents (columns (column id (type uuid) (c (primary) (default "
        "[gen_random_uuid()]))) (column user_id (type text) (c (notnull))) (column content "
        "(type text)) (column created_at (type timestamptz) (c (default [NOW()]))) (column "
        "embedding (type vector (mods 1536)))))");
    expect_shape(
        "CREATE TABLE IF NOT EXISTS s.t (a int CONSTRAINT pk PRIMARY KEY, b bigserial UNIQUE "
        "NULLS NOT DISTINCT, c numeric(10, 2) CHECK (c > 0) NO INHERIT, d int REFERENCES o (id) "
        "ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED, e int GENERATED "
        "ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5 NO CYCLE), f int GENERATED ALWAYS AS "
        "(a * 2) STORED, g text COLLATE \"C\" DEFAULT 'x' || 'y' NOT NULL)",
        "(create-table s.t if-not-exists (columns (column a (type int4) (c (primary (name pk)))) "
        "(column b (type bigserial) (c (unique nulls-not-distinct))) (column c (type numeric "
        "(mods 10 2)) (c (check [c > 0] no-inherit))) (column d (type int4) (c (foreign "
        "(references o (cols id) match-s del2 upd3) deferrable initially-deferred))) (column e "
        "(type int4) (c (identity always (seq (start 10) (increment 5) (no-cycle))))) (column f "
        "(type int4) (c (generated [a * 2]))) (column g (type text) (collate C) (c (default "
        "['x' || 'y']) (notnull)))))");
    expect_shape(
        "CREATE TABLE t (a int, b int, CONSTRAINT u UNIQUE (a, b) INCLUDE (c) WITH (fillfactor = "
        "70), PRIMARY KEY (a), FOREIGN KEY (a, b) REFERENCES x (y, z) MATCH FULL ON DELETE "
        "RESTRICT, CHECK (a < b) NOT VALID, LIKE other INCLUDING ALL)",
        "(create-table t (columns (column a (type int4)) (column b (type int4))) (constraints "
        "(unique (name u) (keys a b) (include c) (with (fillfactor 70))) (primary (keys a)) "
        "(foreign (keys a b) (references x (cols y z) match-f del1 upd0)) (check [a < b] "
        "not-valid)) (like (rel other)))");
    expect_shape("CREATE TEMP TABLE t (a int) ON COMMIT DROP",
                 "(create-table t temp on-commit3 (columns (column a (type int4))))");
    expect_shape("CREATE GLOBAL TEMPORARY TABLE t () ON COMMIT DELETE ROWS",
                 "(create-table t temp on-commit2)");
    expect_shape("CREATE UNLOGGED TABLE t (a int) WITH (partitions = 8, toast.autovacuum_enabled "
                 "= false) TABLESPACE pg_default",
                 "(create-table t unlogged (columns (column a (type int4))) (with (partitions "
                 "8) (toast.autovacuum_enabled (col false))))");
    expect_shape("CREATE TABLE t (a int) PARTITION BY RANGE (a)",
                 "(create-table t (columns (column a (type int4))) partition-by)");
    expect_shape("CREATE TABLE t (a int) INHERITS (p)",
                 "(create-table t (columns (column a (type int4))) inherits)");
    expect_shape("CREATE TABLE t (x, y) AS SELECT 1, 2 WITH NO DATA",
                 "(create-table t (columns (column x) (column y)) (as (select (targets (target "
                 "1) (target 2)))) no-data)");
}

static void test_sql_parse_create_index(void **state) {
    expect_shape(
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY t USING btree (a DESC NULLS "
        "LAST, lower(b) text_pattern_ops, (c + 1) ASC NULLS FIRST) INCLUDE (d) NULLS NOT "
        "DISTINCT WITH (fillfactor = 90) WHERE a > 0",
        "(create-index i on t unique concurrently if-not-exists (using btree) (elems (elem a desc "
        "nulls-last) (elem (expr (func lower (col b))) (opclass text_pattern_ops)) (elem (expr (op "
        "+ (col c) 1)) asc nulls-first)) (include d) (with (fillfactor 90)) (where (op > (col a) "
        "0)) nulls-not-distinct)");
    expect_shape("CREATE INDEX ON documents USING hnsw (embedding vector_l2_ops) WITH (m = 16, "
                 "ef_construction = 64)",
                 "(create-index - on documents (using hnsw) (elems (elem embedding (opclass "
                 "vector_l2_ops))) (with (m 16) (ef_construction 64)))");
    expect_shape("CREATE INDEX nulls ON t (nulls NULLS FIRST)",
                 "(create-index nulls on t (elems (elem nulls nulls-first)))");
}

static void test_sql_parse_sequences_schemas_roles(void **state) {
    sql_create_sequence *s = (sql_create_sequence *)parse_one(
        "CREATE SEQUENCE IF NOT EXISTS s.q AS bigint INCREMENT BY -1 MINVALUE -100 NO MAXVALUE "
        "START WITH -1 CACHE 5 CYCLE OWNED BY t.a");
    assert_int_equal(s->hdr.kind, SQL_N_CREATE_SEQUENCE);
    assert_true(s->if_not_exists);
    assert_int_equal(s->options.count, 8);
    static const char *const names[] = {"as", "increment", "minvalue", "maxvalue", "start",
                                        "cache", "cycle", "owned_by"};
    for (uint32_t i = 0; i < 8; i++) {
        assert_string_equal(((sql_defelem *)SQL_LIST_AT(s->options, i))->name, names[i]);
    }
    assert_true(((sql_defelem *)SQL_LIST_AT(s->options, 3))->negated);
    assert_int_equal(((sql_const *)((sql_defelem *)SQL_LIST_AT(s->options, 1))->value)->int_value,
                     -1);
    sql_alter_sequence *as = (sql_alter_sequence *)parse_one(
        "ALTER SEQUENCE IF EXISTS q RESTART WITH 5 OWNED BY NONE");
    assert_int_equal(as->hdr.kind, SQL_N_ALTER_SEQUENCE);
    assert_string_equal(((sql_defelem *)SQL_LIST_AT(as->options, 1))->word, "none");

    sql_create_schema *sc = (sql_create_schema *)parse_one(
        "CREATE SCHEMA s AUTHORIZATION bob CREATE TABLE t (a int) CREATE VIEW v AS SELECT 1");
    assert_string_equal(sc->name, "s");
    assert_string_equal(sc->authorization, "bob");
    assert_int_equal(sc->elements.count, 2);
    sc = (sql_create_schema *)parse_one("CREATE SCHEMA AUTHORIZATION CURRENT_USER");
    assert_string_equal(sc->name, "current_user");

    sql_create_database *db = (sql_create_database *)parse_one(
        "CREATE DATABASE d WITH OWNER = bob TEMPLATE template0 ENCODING 'UTF8' CONNECTION LIMIT "
        "= 10");
    assert_int_equal(db->options.count, 4);
    assert_string_equal(((sql_defelem *)SQL_LIST_AT(db->options, 0))->word, "bob");
    assert_string_equal(((sql_defelem *)SQL_LIST_AT(db->options, 3))->name, "connection_limit");

    sql_create_role *r = (sql_create_role *)parse_one(
        "CREATE USER u WITH LOGIN NOSUPERUSER PASSWORD 'x' CONNECTION LIMIT 5 VALID UNTIL "
        "'2030-01-01' IN ROLE a, b");
    assert_true(r->is_user);
    assert_int_equal(r->options.count, 6);
    sql_defelem *su = SQL_LIST_AT(r->options, 1);
    assert_string_equal(su->name, "superuser");
    assert_true(su->negated);
    assert_false(((sql_const *)su->value)->bool_value);
    assert_string_equal(((sql_defelem *)SQL_LIST_AT(r->options, 2))->name, "password");
    assert_int_equal(((sql_row *)((sql_defelem *)SQL_LIST_AT(r->options, 5))->value)->args.count,
                     2);
    sql_create_role *r2 = (sql_create_role *)parse_one("CREATE ROLE r PASSWORD NULL");
    assert_int_equal(((sql_const *)((sql_defelem *)SQL_LIST_AT(r2->options, 0))->value)
                         ->const_kind,
                     SQL_CONST_NULL);

    sql_alter_role *ar = (sql_alter_role *)parse_one("ALTER ROLE r IN DATABASE d SET x TO 'y'");
    assert_string_equal(ar->in_database, "d");
    assert_string_equal(ar->set->name, "x");
    sql_rename *rn = (sql_rename *)parse_one("ALTER USER r RENAME TO r2");
    assert_int_equal(rn->object, SQL_OBJ_ROLE);
    assert_string_equal(rn->new_name, "r2");

    sql_create_extension *e = (sql_create_extension *)parse_one(
        "CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public VERSION '0.5.0' CASCADE");
    assert_string_equal(e->name, "vector");
    assert_string_equal(e->schema, "public");
    assert_string_equal(e->version, "0.5.0");
    assert_true(e->cascade && e->if_not_exists);
}

static void test_sql_parse_views_and_drops(void **state) {
    const char *sql = "CREATE OR REPLACE TEMP VIEW v (a, b) AS SELECT 1, 2";
    sql_create_view *v = (sql_create_view *)parse_one(sql);
    assert_true(v->or_replace && v->temporary && !v->materialized);
    assert_int_equal(v->col_aliases.count, 2);
    assert_string_equal(v->query_text, "SELECT 1, 2");
    v = (sql_create_view *)parse_one("CREATE MATERIALIZED VIEW mv AS SELECT 1 WITH DATA");
    assert_true(v->materialized);

    sql_drop *d = (sql_drop *)parse_one("DROP TABLE IF EXISTS a, s.b CASCADE");
    assert_int_equal(d->object, SQL_OBJ_TABLE);
    assert_true(d->if_exists && d->cascade);
    assert_int_equal(d->names.count, 2);
    assert_int_equal(((sql_name *)SQL_LIST_AT(d->names, 1))->count, 2);
    d = (sql_drop *)parse_one("DROP INDEX CONCURRENTLY i");
    assert_true(d->concurrently);
    d = (sql_drop *)parse_one("DROP DATABASE IF EXISTS x WITH (FORCE)");
    assert_true(d->force);
    static const struct { const char *sql; sql_object_kind kind; } drops[] = {
        {"DROP SEQUENCE s", SQL_OBJ_SEQUENCE}, {"DROP VIEW v", SQL_OBJ_VIEW},
        {"DROP MATERIALIZED VIEW v", SQL_OBJ_MATVIEW}, {"DROP SCHEMA s", SQL_OBJ_SCHEMA},
        {"DROP ROLE r", SQL_OBJ_ROLE}, {"DROP USER r", SQL_OBJ_ROLE},
        {"DROP EXTENSION e", SQL_OBJ_EXTENSION}, {"DROP TYPE t", SQL_OBJ_TYPE},
        {"DROP DOMAIN t", SQL_OBJ_DOMAIN}, {"DROP FUNCTION f(int, text)", SQL_OBJ_FUNCTION},
        {"DROP TRIGGER tr ON t", SQL_OBJ_TRIGGER},
    };
    for (size_t i = 0; i < sizeof drops / sizeof drops[0]; i++) {
        assert_int_equal(((sql_drop *)parse_one(drops[i].sql))->object, drops[i].kind);
    }
}

static const sql_alter_cmd *alter_cmd(const sql_node *n, uint32_t i) {
    assert_int_equal(n->kind, SQL_N_ALTER_TABLE);
    return SQL_LIST_AT(((const sql_alter_table *)n)->cmds, i);
}

static void test_sql_parse_alter_table(void **state) {
    sql_node *n = parse_one(
        "ALTER TABLE IF EXISTS ONLY t ADD COLUMN IF NOT EXISTS a int NOT NULL DEFAULT 0, DROP "
        "COLUMN IF EXISTS b CASCADE, ALTER COLUMN c TYPE bigint USING c::bigint, ALTER d SET "
        "DEFAULT now(), ALTER COLUMN e DROP DEFAULT, ALTER f SET NOT NULL, ALTER g DROP NOT NULL, "
        "ADD CONSTRAINT k CHECK (a > 0), DROP CONSTRAINT IF EXISTS j, VALIDATE CONSTRAINT m, "
        "ALTER h ADD GENERATED BY DEFAULT AS IDENTITY, ALTER i DROP IDENTITY IF EXISTS, ALTER j "
        "SET STATISTICS 100, SET (fillfactor = 70), RESET (autovacuum_enabled), OWNER TO "
        "CURRENT_USER");
    const sql_alter_table *a = (const sql_alter_table *)n;
    assert_true(a->if_exists && a->only);
    static const sql_alter_kind kinds[] = {
        SQL_AT_ADD_COLUMN, SQL_AT_DROP_COLUMN, SQL_AT_ALTER_TYPE, SQL_AT_SET_DEFAULT,
        SQL_AT_DROP_DEFAULT, SQL_AT_SET_NOT_NULL, SQL_AT_DROP_NOT_NULL, SQL_AT_ADD_CONSTRAINT,
        SQL_AT_DROP_CONSTRAINT, SQL_AT_VALIDATE_CONSTRAINT, SQL_AT_ADD_IDENTITY,
        SQL_AT_DROP_IDENTITY, SQL_AT_SET_STATISTICS, SQL_AT_SET_OPTIONS, SQL_AT_RESET_OPTIONS,
        SQL_AT_OWNER};
    assert_int_equal(a->cmds.count, sizeof kinds / sizeof kinds[0]);
    for (uint32_t i = 0; i < a->cmds.count; i++) {
        assert_int_equal(alter_cmd(n, i)->alter_kind, kinds[i]);
    }
    assert_true(alter_cmd(n, 0)->if_not_exists);
    assert_string_equal(alter_cmd(n, 0)->column->name, "a");
    assert_true(alter_cmd(n, 1)->if_exists && alter_cmd(n, 1)->cascade);
    assert_string_equal(alter_cmd(n, 2)->type->name.parts[0], "int8");
    assert_string_equal(alter_cmd(n, 2)->expr_text, "c::bigint");
    assert_string_equal(alter_cmd(n, 3)->expr_text, "now()");
    assert_string_equal(alter_cmd(n, 15)->new_name, "current_user");

    static const struct { const char *sql; sql_alter_kind kind; const char *name, *new_name; }
        renames[] = {
            {"ALTER TABLE t RENAME TO u", SQL_AT_RENAME_TABLE, NULL, "u"},
            {"ALTER TABLE t RENAME COLUMN a TO b", SQL_AT_RENAME_COLUMN, "a", "b"},
            {"ALTER TABLE t RENAME a TO b", SQL_AT_RENAME_COLUMN, "a", "b"},
            {"ALTER TABLE t RENAME CONSTRAINT a TO b", SQL_AT_RENAME_CONSTRAINT, "a", "b"},
            {"ALTER TABLE t SET SCHEMA s", SQL_AT_SET_SCHEMA, NULL, "s"},
            {"ALTER INDEX i RENAME TO j", SQL_AT_RENAME_TABLE, NULL, "j"},
            {"ALTER SEQUENCE q RENAME TO r", SQL_AT_RENAME_TABLE, NULL, "r"},
            {"ALTER VIEW v RENAME TO w", SQL_AT_RENAME_TABLE, NULL, "w"},
        };
    for (size_t i = 0; i < sizeof renames / sizeof renames[0]; i++) {
        const sql_alter_cmd *c = alter_cmd(parse_one(renames[i].sql), 0);
        assert_int_equal(c->alter_kind, renames[i].kind);
        if (renames[i].name) assert_string_equal(c->name, renames[i].name);
        assert_string_equal(c->new_name, renames[i].new_name);
    }
    assert_int_equal(((sql_alter_table *)parse_one("ALTER INDEX i RENAME TO j"))->object,
                     SQL_OBJ_INDEX);
    sql_rename *r = (sql_rename *)parse_one("ALTER SCHEMA s RENAME TO t");
    assert_int_equal(r->object, SQL_OBJ_SCHEMA);
    assert_string_equal(r->new_name, "t");
    expect_error("ALTER TABLE t ENABLE TRIGGER ALL", "0A000",
                 "ALTER TABLE ENABLE is not supported", 15);
}

static void test_sql_parse_truncate_comment(void **state) {
    sql_truncate *t = (sql_truncate *)parse_one("TRUNCATE TABLE ONLY a, b * RESTART IDENTITY "
                                                "CASCADE");
    assert_int_equal(t->tables.count, 2);
    assert_true(((sql_rangevar *)SQL_LIST_AT(t->tables, 0))->only);
    assert_true(t->restart_identity && t->cascade);
    sql_comment *c = (sql_comment *)parse_one("COMMENT ON COLUMN s.t.c IS 'x'");
    assert_int_equal(c->object, SQL_OBJ_COLUMN);
    assert_int_equal(c->name.count, 3);
    assert_string_equal(c->text, "x");
    c = (sql_comment *)parse_one("COMMENT ON CONSTRAINT k ON t IS NULL");
    assert_int_equal(c->object, SQL_OBJ_CONSTRAINT);
    assert_string_equal(c->on_table.parts[0], "t");
    assert_null(c->text);
}

/* ---- transactions and session ---- */

static void test_sql_parse_transactions(void **state) {
    static const struct {
        const char *sql;
        sql_txn_kind kind;
        sql_isolation iso;
        int8_t read_only, deferrable;
        bool chain;
        const char *name;
    } cases[] = {
        {"BEGIN", SQL_TXN_BEGIN, SQL_ISO_DEFAULT, -1, -1, false, NULL},
        {"BEGIN WORK ISOLATION LEVEL REPEATABLE READ, READ ONLY, DEFERRABLE", SQL_TXN_BEGIN,
         SQL_ISO_REPEATABLE_READ, 1, 1, false, NULL},
        {"BEGIN TRANSACTION ISOLATION LEVEL READ UNCOMMITTED READ WRITE NOT DEFERRABLE",
         SQL_TXN_BEGIN, SQL_ISO_READ_UNCOMMITTED, 0, 0, false, NULL},
        {"START TRANSACTION ISOLATION LEVEL SERIALIZABLE", SQL_TXN_START, SQL_ISO_SERIALIZABLE,
         -1, -1, false, NULL},
        {"COMMIT", SQL_TXN_COMMIT, SQL_ISO_DEFAULT, -1, -1, false, NULL},
        {"END TRANSACTION AND CHAIN", SQL_TXN_COMMIT, SQL_ISO_DEFAULT, -1, -1, true, NULL},
        {"COMMIT WORK AND NO CHAIN", SQL_TXN_COMMIT, SQL_ISO_DEFAULT, -1, -1, false, NULL},
        {"ROLLBACK", SQL_TXN_ROLLBACK, SQL_ISO_DEFAULT, -1, -1, false, NULL},
        {"ABORT AND CHAIN", SQL_TXN_ROLLBACK, SQL_ISO_DEFAULT, -1, -1, true, NULL},
        {"ROLLBACK TO SAVEPOINT s", SQL_TXN_ROLLBACK_TO, SQL_ISO_DEFAULT, -1, -1, false, "s"},
        {"ROLLBACK WORK TO s", SQL_TXN_ROLLBACK_TO, SQL_ISO_DEFAULT, -1, -1, false, "s"},
        {"SAVEPOINT s", SQL_TXN_SAVEPOINT, SQL_ISO_DEFAULT, -1, -1, false, "s"},
        {"RELEASE SAVEPOINT s", SQL_TXN_RELEASE, SQL_ISO_DEFAULT, -1, -1, false, "s"},
        {"RELEASE s", SQL_TXN_RELEASE, SQL_ISO_DEFAULT, -1, -1, false, "s"},
        {"PREPARE TRANSACTION 'g'", SQL_TXN_PREPARE, SQL_ISO_DEFAULT, -1, -1, false, "g"},
        {"COMMIT PREPARED 'g'", SQL_TXN_COMMIT_PREPARED, SQL_ISO_DEFAULT, -1, -1, false, "g"},
        {"ROLLBACK PREPARED 'g'", SQL_TXN_ROLLBACK_PREPARED, SQL_ISO_DEFAULT, -1, -1, false, "g"},
        {"SET TRANSACTION ISOLATION LEVEL READ COMMITTED", SQL_TXN_SET_TRANSACTION,
         SQL_ISO_READ_COMMITTED, -1, -1, false, NULL},
        {"SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", SQL_TXN_SET_SESSION_DEFAULTS,
         SQL_ISO_DEFAULT, 1, -1, false, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_transaction *t = (sql_transaction *)parse_one(cases[i].sql);
        assert_int_equal(t->hdr.kind, SQL_N_TRANSACTION);
        assert_int_equal(t->txn_kind, cases[i].kind);
        assert_int_equal(t->isolation, cases[i].iso);
        assert_int_equal(t->read_only, cases[i].read_only);
        assert_int_equal(t->deferrable, cases[i].deferrable);
        assert_int_equal(t->chain, cases[i].chain);
        if (cases[i].name) assert_string_equal(t->savepoint, cases[i].name);
    }
}

static void expect_set(const char *sql, sql_set_kind kind, const char *name, bool is_local,
                       const char *first_value) {
    sql_set *s = (sql_set *)parse_one(sql);
    assert_int_equal(s->hdr.kind, SQL_N_SET);
    assert_int_equal(s->set_kind, kind);
    if (name) assert_string_equal(s->name, name);
    else assert_null(s->name);
    assert_int_equal(s->is_local, is_local);
    if (first_value == NULL) {
        assert_int_equal(s->values.count, 0);
        return;
    }
    assert_true(s->values.count > 0);
    char *d = sql_ast_dump(SQL_LIST_AT(s->values, 0));
    assert_string_equal(d, first_value);
    free(d);
}

static void test_sql_parse_set_reset_show(void **state) {
    expect_set("SET search_path TO public, \"$user\"", SQL_SET_VALUE, "search_path", false,
               "(col public)");
    expect_set("SET search_path = DEFAULT", SQL_SET_DEFAULT, "search_path", false, NULL);
    expect_set("SET LOCAL statement_timeout = '5s'", SQL_SET_VALUE, "statement_timeout", true,
               "'5s'");
    expect_set("SET SESSION work_mem TO 1024", SQL_SET_VALUE, "work_mem", false, "1024");
    expect_set("SET x.y = -1.5", SQL_SET_VALUE, "x.y", false, "(num -1.5)");
    expect_set("SET enable_seqscan = off", SQL_SET_VALUE, "enable_seqscan", false, "(col off)");
    expect_set("SET enable_seqscan TO on", SQL_SET_VALUE, "enable_seqscan", false, "(col on)");
    expect_set("SET TIME ZONE 'UTC'", SQL_SET_VALUE, "timezone", false, "'UTC'");
    expect_set("SET TIME ZONE LOCAL", SQL_SET_DEFAULT, "timezone", false, NULL);
    expect_set("SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE", SQL_SET_VALUE, "timezone",
               false, "(cast '+00:00' (type interval (fields 3072)))");
    expect_set("SET NAMES 'UTF8'", SQL_SET_VALUE, "client_encoding", false, "'UTF8'");
    expect_set("SET NAMES DEFAULT", SQL_SET_DEFAULT, "client_encoding", false, NULL);
    expect_set("SET SCHEMA 'public'", SQL_SET_VALUE, "search_path", false, "'public'");
    expect_set("SET ROLE bob", SQL_SET_VALUE, "role", false, "(col bob)");
    expect_set("SET SESSION AUTHORIZATION DEFAULT", SQL_SET_DEFAULT, "session_authorization",
               false, NULL);
    expect_set("SET x FROM CURRENT", SQL_SET_FROM_CURRENT, "x", false, NULL);
    expect_set("RESET ALL", SQL_SET_RESET_ALL, NULL, false, NULL);
    expect_set("RESET TIME ZONE", SQL_SET_RESET, "timezone", false, NULL);
    expect_set("RESET search_path", SQL_SET_RESET, "search_path", false, NULL);
    static const struct { const char *sql, *name; } shows[] = {
        {"SHOW ALL", "all"}, {"SHOW search_path", "search_path"}, {"SHOW TIME ZONE", "timezone"},
        {"SHOW TRANSACTION ISOLATION LEVEL", "transaction_isolation"},
        {"SHOW SESSION AUTHORIZATION", "session_authorization"}, {"SHOW x.y", "x.y"},
    };
    for (size_t i = 0; i < sizeof shows / sizeof shows[0]; i++) {
        sql_show *s = (sql_show *)parse_one(shows[i].sql);
        assert_int_equal(s->hdr.kind, SQL_N_SHOW);
        assert_string_equal(s->name, shows[i].name);
    }
}

/* ---- utility statements ---- */

static void test_sql_parse_prepare_execute_cursors(void **state) {
    sql_prepare *p = (sql_prepare *)parse_one("PREPARE q (int, text[]) AS INSERT INTO t VALUES "
                                              "($1, $2)");
    assert_string_equal(p->name, "q");
    assert_int_equal(p->arg_types.count, 2);
    assert_int_equal(((sql_typename *)SQL_LIST_AT(p->arg_types, 1))->array_dims, 1);
    assert_int_equal(p->query->kind, SQL_N_INSERT);
    assert_string_equal(p->query_text, "INSERT INTO t VALUES ($1, $2)");
    sql_execute *e = (sql_execute *)parse_one("EXECUTE q (1, 'a')");
    assert_int_equal(e->params.count, 2);
    assert_null(((sql_deallocate *)parse_one("DEALLOCATE PREPARE ALL"))->name);
    assert_string_equal(((sql_deallocate *)parse_one("DEALLOCATE q"))->name, "q");
    sql_declare_cursor *d = (sql_declare_cursor *)parse_one(
        "DECLARE c BINARY INSENSITIVE NO SCROLL CURSOR WITH HOLD FOR SELECT 1");
    assert_true(d->binary && d->insensitive && d->no_scroll && d->with_hold && !d->scroll);
    static const struct { const char *sql; sql_fetch_dir dir; int64_t count; const char *c; }
        fetches[] = {
            {"FETCH c", SQL_FETCH_NEXT, 1, "c"}, {"FETCH next", SQL_FETCH_NEXT, 1, "next"},
            {"FETCH NEXT FROM c", SQL_FETCH_NEXT, 1, "c"},
            {"FETCH PRIOR c", SQL_FETCH_PRIOR, 1, "c"},
            {"FETCH FIRST IN c", SQL_FETCH_FIRST, 1, "c"},
            {"FETCH LAST c", SQL_FETCH_LAST, -1, "c"},
            {"FETCH ABSOLUTE -2 c", SQL_FETCH_ABSOLUTE, -2, "c"},
            {"FETCH RELATIVE 3 FROM c", SQL_FETCH_RELATIVE, 3, "c"},
            {"FETCH 5 c", SQL_FETCH_FORWARD, 5, "c"}, {"FETCH -5 c", SQL_FETCH_FORWARD, -5, "c"},
            {"FETCH ALL c", SQL_FETCH_FORWARD_ALL, 1, "c"},
            {"FETCH FORWARD 3 c", SQL_FETCH_FORWARD, 3, "c"},
            {"FETCH FORWARD ALL c", SQL_FETCH_FORWARD_ALL, 1, "c"},
            {"FETCH BACKWARD c", SQL_FETCH_BACKWARD, 1, "c"},
            {"MOVE BACKWARD ALL IN c", SQL_FETCH_BACKWARD_ALL, 1, "c"},
        };
    for (size_t i = 0; i < sizeof fetches / sizeof fetches[0]; i++) {
        sql_fetch *f = (sql_fetch *)parse_one(fetches[i].sql);
        assert_int_equal(f->dir, fetches[i].dir);
        assert_int_equal(f->count, fetches[i].count);
        assert_string_equal(f->cursor, fetches[i].c);
        assert_int_equal(f->is_move, fetches[i].sql[0] == 'M');
    }
    assert_null(((sql_close *)parse_one("CLOSE ALL"))->cursor);
    assert_string_equal(((sql_close *)parse_one("CLOSE c"))->cursor, "c");
}

static void test_sql_parse_explain(void **state) {
    sql_explain *e = (sql_explain *)parse_one("EXPLAIN SELECT 1");
    assert_false(e->analyze || e->verbose || e->hybrid);
    assert_true(e->costs && e->timing);
    assert_string_equal(e->format, "text");
    e = (sql_explain *)parse_one("EXPLAIN ANALYZE VERBOSE SELECT 1");
    assert_true(e->analyze && e->verbose && e->summary);
    e = (sql_explain *)parse_one("EXPLAIN HYBRID SELECT id FROM documents ORDER BY e NEAR $1 "
                                 "LIMIT 5");
    assert_true(e->hybrid);
    assert_int_equal(e->stmt->kind, SQL_N_SELECT);
    e = (sql_explain *)parse_one("EXPLAIN ANALYZE HYBRID SELECT 1");
    assert_true(e->hybrid && e->analyze);
    e = (sql_explain *)parse_one("EXPLAIN (ANALYZE) HYBRID SELECT 1");
    assert_true(e->hybrid && e->analyze);
    e = (sql_explain *)parse_one("EXPLAIN (ANALYZE true, COSTS off, TIMING 0, BUFFERS, "
                                 "FORMAT JSON, HYBRID) UPDATE t SET a = 1");
    assert_true(e->analyze && !e->costs && e->costs_set && !e->timing && e->timing_set &&
                e->buffers && e->hybrid);
    assert_string_equal(e->format, "json");
    assert_int_equal(e->options.count, 6);
    assert_int_equal(e->stmt->kind, SQL_N_UPDATE);
    assert_int_equal(((sql_explain *)parse_one("EXPLAIN EXECUTE q(1)"))->stmt->kind,
                     SQL_N_EXECUTE);
    assert_int_equal(((sql_explain *)parse_one("EXPLAIN CREATE TABLE t AS SELECT 1"))->stmt->kind,
                     SQL_N_CREATE_TABLE);
    assert_int_equal(((sql_explain *)parse_one("EXPLAIN (SELECT 1)"))->stmt->kind, SQL_N_SELECT);
}

static void test_sql_parse_maintenance(void **state) {
    sql_analyze *a = (sql_analyze *)parse_one("ANALYZE VERBOSE t (a, b), u");
    assert_true(a->verbose);
    assert_int_equal(a->tables.count, 2);
    assert_int_equal(((sql_rangevar *)SQL_LIST_AT(a->tables, 0))->col_aliases.count, 2);
    assert_int_equal(((sql_analyze *)parse_one("ANALYSE"))->tables.count, 0);
    sql_vacuum *v = (sql_vacuum *)parse_one("VACUUM (FULL, ANALYZE, PARALLEL 2) t");
    assert_true(v->full && v->analyze && !v->freeze);
    assert_int_equal(v->options.count, 3);
    v = (sql_vacuum *)parse_one("VACUUM FULL FREEZE VERBOSE ANALYZE t");
    assert_true(v->full && v->freeze && v->verbose && v->analyze);
    assert_int_equal(parse_one("CHECKPOINT")->kind, SQL_N_CHECKPOINT);
}

static const char *copy_option(const sql_copy *c, uint32_t i) {
    static char buf[256];
    const sql_defelem *d = SQL_LIST_AT(c->options, i);
    char *v = d->value ? sql_ast_dump(d->value) : NULL;
    snprintf(buf, sizeof buf, "%s=%s", d->name, v ? v : "");
    free(v);
    return buf;
}

static void test_sql_parse_copy(void **state) {
    sql_copy *c = (sql_copy *)parse_one("COPY t (a, b) FROM STDIN");
    assert_true(c->is_from);
    assert_null(c->filename);
    assert_int_equal(c->columns.count, 2);
    c = (sql_copy *)parse_one("COPY t TO '/tmp/x' WITH (FORMAT csv, HEADER true, DELIMITER ',', "
                              "FORCE_QUOTE *, FORCE_NOT_NULL (a, b))");
    assert_false(c->is_from);
    assert_string_equal(c->filename, "/tmp/x");
    assert_string_equal(copy_option(c, 0), "format=(col csv)");
    assert_string_equal(copy_option(c, 3), "force_quote=(star)");
    assert_string_equal(copy_option(c, 4), "force_not_null=(row (col a) (col b))");
    /* the old syntax normalised into the same names */
    c = (sql_copy *)parse_one("COPY t FROM STDIN WITH DELIMITER AS '|' NULL AS '\\N' CSV HEADER "
                              "QUOTE '\"' ESCAPE '\\' FORCE NOT NULL a, b ENCODING 'UTF8'");
    static const char *const old[] = {"delimiter='|'", "null='\\N'", "format=(col csv)",
                                      "header=", "quote='\"'", "escape='\\'",
                                      "force_not_null=(row (col a) (col b))", "encoding='UTF8'"};
    assert_int_equal(c->options.count, 8);
    for (uint32_t i = 0; i < 8; i++) assert_string_equal(copy_option(c, i), old[i]);
    c = (sql_copy *)parse_one("COPY BINARY t TO STDOUT");
    assert_string_equal(copy_option(c, 0), "format=(col binary)");
    c = (sql_copy *)parse_one("COPY t FROM STDIN USING DELIMITERS ','");
    assert_string_equal(copy_option(c, 0), "delimiter=','");
    c = (sql_copy *)parse_one("COPY (SELECT * FROM t) TO PROGRAM 'gzip'");
    assert_null(c->table);
    assert_int_equal(c->query->kind, SQL_N_SELECT);
    assert_true(c->is_program);
    c = (sql_copy *)parse_one("COPY t FROM STDIN WHERE a > 0");
    assert_non_null(c->where);
}

static void test_sql_parse_misc_utility(void **state) {
    assert_string_equal(((sql_listen *)parse_one("LISTEN ch"))->channel, "ch");
    assert_null(((sql_listen *)parse_one("UNLISTEN *"))->channel);
    assert_int_equal(parse_one("UNLISTEN ch")->kind, SQL_N_UNLISTEN);
    sql_notify *n = (sql_notify *)parse_one("NOTIFY ch, 'payload'");
    assert_string_equal(n->payload, "payload");
    assert_int_equal(((sql_discard *)parse_one("DISCARD TEMPORARY"))->what, SQL_DISCARD_TEMP);
    assert_int_equal(((sql_discard *)parse_one("DISCARD ALL"))->what, SQL_DISCARD_ALL);
    sql_lock *l = (sql_lock *)parse_one("LOCK TABLE t, u IN SHARE ROW EXCLUSIVE MODE NOWAIT");
    assert_int_equal(l->tables.count, 2);
    assert_string_equal(l->mode, "SHARE ROW EXCLUSIVE");
    assert_true(l->nowait);
    assert_string_equal(((sql_lock *)parse_one("LOCK t"))->mode, "ACCESS EXCLUSIVE");
    sql_grant *g = (sql_grant *)parse_one("GRANT SELECT ON t TO bob WITH GRANT OPTION");
    assert_true(g->is_grant);
    assert_true(g->option);
    assert_int_equal(g->target, SQL_GRANT_TABLE);
    assert_string_equal(SQL_LIST_AT(g->privileges, 0), "select");
    assert_string_equal(SQL_LIST_AT(g->grantees, 0), "bob");
    g = (sql_grant *)parse_one("REVOKE ALL ON t FROM PUBLIC");
    assert_false(g->is_grant);
    assert_true(g->all);
    assert_string_equal(SQL_LIST_AT(g->grantees, 0), "public");
    g = (sql_grant *)parse_one("GRANT USAGE, CREATE ON SCHEMA s, u TO a, b");
    assert_int_equal(g->target, SQL_GRANT_SCHEMA);
    assert_int_equal(g->objects.count, 2);
    assert_int_equal(g->grantees.count, 2);
    g = (sql_grant *)parse_one("GRANT SELECT ON ALL TABLES IN SCHEMA public TO a");
    assert_int_equal(g->target, SQL_GRANT_ALL_TABLES);
    g = (sql_grant *)parse_one("GRANT admins TO alice WITH ADMIN OPTION");
    assert_int_equal(g->target, SQL_GRANT_ROLE);
    assert_true(g->option);
    g = (sql_grant *)parse_one("REVOKE GRANT OPTION FOR SELECT ON TABLE t FROM bob CASCADE");
    assert_true(g->option);
    assert_true(g->cascade);
    g = (sql_grant *)parse_one("GRANT EXECUTE ON FUNCTION f(int) TO bob");
    assert_int_equal(g->target, SQL_GRANT_OTHER);
    assert_string_equal(g->other, "function");
    g = (sql_grant *)parse_one("GRANT SELECT (a, b) ON t TO bob");
    assert_int_equal(g->columns_at, 14);
    assert_int_equal(g->priv_columns.count, 1);
    const sql_list *cols = SQL_LIST_AT(g->priv_columns, 0);
    assert_int_equal(cols->count, 2);
    assert_string_equal(SQL_LIST_AT(*cols, 1), "b");
    g = (sql_grant *)parse_one("GRANT ALL (c) ON t TO bob");
    assert_true(g->all);
    assert_int_equal(g->all_columns->count, 1);
    expect_error("GRANT", "42601", "syntax error at end of input", 6);
    sql_do *d = (sql_do *)parse_one("DO LANGUAGE plpgsql $$ BEGIN END $$");
    assert_string_equal(d->body, " BEGIN END ");
    assert_string_equal(d->language, "plpgsql");
}

/* Syntax PostgreSQL accepts that Dreambase's tree cannot express: 0A000, never a wrong tree. */
static void test_sql_parse_unsupported(void **state) {
    expect_error("MERGE INTO t USING u ON true WHEN MATCHED THEN DELETE", "0A000",
                 "MERGE is not supported", 1);
    expect_error("CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql", "0A000",
                 "CREATE FUNCTION is not supported", 1);
    expect_error("CREATE OR REPLACE TRIGGER t AFTER INSERT ON t EXECUTE FUNCTION f()", "0A000",
                 "CREATE TRIGGER is not supported", 1);
    expect_error("SELECT * FROM t TABLESAMPLE SYSTEM (1)", "0A000",
                 "TABLESAMPLE is not supported", 17);
    expect_error("SELECT 1 IS DOCUMENT", "0A000", "IS DOCUMENT is not supported", 10);
    expect_error("SELECT UNIQUE (SELECT 1)", "0A000", "UNIQUE predicate is not supported", 8);
    expect_error("CREATE VIEW v AS SELECT 1 WITH CHECK OPTION", "0A000",
                 "WITH CHECK OPTION is not supported", 27);
}

/* ---- errors, as PostgreSQL 15 reports them ---- */

static const struct {
    const char *sql, *sqlstate, *message;
    uint32_t position;
} pg_errors[] = {
    {"SELECT * FORM t", "42601", "syntax error at or near \"FORM\"", 10},
    {"SELECT 1 +", "42601", "syntax error at end of input", 11},
    {"SELECT 1 +   ", "42601", "syntax error at end of input", 14},
    {"SELECT 'a' 'b'", "42601", "syntax error at or near \"'b'\"", 12},
    {"SELECT 1 2", "42601", "syntax error at or near \"2\"", 10},
    {"SELECT 1 = 2 = 3", "42601", "syntax error at or near \"=\"", 14},
    {"SELECT 1 < 2 < 3", "42601", "syntax error at or near \"<\"", 14},
    {"SELECT NOT 1 = 2 = true", "42601", "syntax error at or near \"=\"", 18},
    {"SELECT 1 IS DISTINCT FROM 2 IS NULL", "42601", "syntax error at or near \"IS\"", 29},
    {"SELECT 'a' LIKE 'b' LIKE 'c'", "42601", "syntax error at or near \"LIKE\"", 21},
    {"SELECT 1 BETWEEN 0 AND 1 BETWEEN 0 AND 1",
     "42601", "syntax error at or near \"BETWEEN\"", 26},
    {"SELECT ARRAY[1,2][1]", "42601", "syntax error at or near \"[\"", 18},
    {"SELECT abs(1)[1]", "42601", "syntax error at or near \"[\"", 14},
    {"SELECT ARRAY(SELECT 1)[1]", "42601", "syntax error at or near \"[\"", 23},
    {"SELECT (1,2).f", "42601", "syntax error at or near \".\"", 13},
    {"SELECT f(VARIADIC ARRAY[1], 2)", "42601", "syntax error at or near \",\"", 27},
    {"SELECT count(*, 1)", "42601", "syntax error at or near \",\"", 15},
    {"SELECT count(DISTINCT *)", "42601", "syntax error at or near \"*\"", 23},
    {"SELECT * FROM (SELECT 1)", "42601", "subquery in FROM must have an alias", 15},
    {"SELECT * FROM (VALUES (1))", "42601", "VALUES in FROM must have an alias", 15},
    {"SELECT * FROM (t)", "42601", "syntax error at or near \")\"", 17},
    {"SELECT left FROM t", "42601", "syntax error at or near \"FROM\"", 13},
    {"SELECT 1 LIMIT 1, 2", "42601", "LIMIT #,# syntax is not supported", 10},
    {"SELECT 1 LIMIT 1 LIMIT 2", "42601", "syntax error at or near \"LIMIT\"", 18},
    {"(SELECT 1 ORDER BY 1) ORDER BY 1", "42601", "multiple ORDER BY clauses not allowed", 32},
    {"(SELECT 1 LIMIT 1) LIMIT 2", "42601", "multiple LIMIT clauses not allowed", 26},
    {"SELECT x FROM t FETCH FIRST ROWS WITH TIES",
     "42601", "WITH TIES cannot be specified without ORDER BY clause", 0},
    {"SELECT 1 FROM t ORDER BY 1 FETCH FIRST 1 ROWS WITH TIES FOR UPDATE SKIP LOCKED",
     "42601", "SKIP LOCKED and WITH TIES options cannot be used together", 0},
    {"WITH a AS (SELECT 1) (WITH b AS (SELECT 1) SELECT 1)",
     "42601", "multiple WITH clauses not allowed", 1},
    {"SELECT sum(x) OVER (ROWS UNBOUNDED FOLLOWING) FROM t",
     "42P20", "frame start cannot be UNBOUNDED FOLLOWING", 26},
    {"SELECT sum(x) OVER (ROWS 1 FOLLOWING) FROM t",
     "42P20", "frame starting from following row cannot end with current row", 26},
    {"SELECT sum(x) OVER (ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW) FROM t",
     "42P20", "frame starting from following row cannot have preceding rows", 50},
    {"SELECT sum(x) OVER (ROWS BETWEEN CURRENT ROW AND UNBOUNDED PRECEDING) FROM t",
     "42P20", "frame end cannot be UNBOUNDED PRECEDING", 50},
    {"SELECT sum(x) OVER (ROWS BETWEEN CURRENT ROW AND 1 PRECEDING) FROM t",
     "42P20", "frame starting from current row cannot have preceding rows", 50},
    {"SELECT 1::float(0)", "22023", "precision for type float must be at least 1 bit", 17},
    {"SELECT 1::float(54)", "22023", "precision for type float must be less than 54 bits", 17},
    {"SELECT B'102'", "22P02", "\"2\" is not a valid binary digit", 8},
    {"SELECT X'1G'", "22P02", "\"G\" is not a valid hexadecimal digit", 8},
    {"SELECT a.b.c.d.e FROM t",
     "42601", "improper qualified name (too many dotted names): a.b.c.d.e", 8},
    {"SELECT * FROM a.b.c.d",
     "42601", "improper qualified name (too many dotted names): a.b.c.d", 15},
    {"UPDATE t SET (a) = (1)",
     "0A000",
     "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression", 21},
    {"UPDATE t SET (a, b) = ROW(1)",
     "42601", "number of columns does not match number of values", 23},
    {"UPDATE t SET (a, b) = 1",
     "0A000",
     "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression", 23},
    {"UPDATE t set set a = 1", "42601", "syntax error at or near \"a\"", 18},
    {"INSERT INTO t VALUES (1) ON CONFLICT DO UPDATE SET a = 1",
     "42601", "ON CONFLICT DO UPDATE requires inference specification or constraint name", 26},
    {"CREATE SCHEMA IF NOT EXISTS foo CREATE TABLE x (a int)",
     "0A000", "CREATE SCHEMA IF NOT EXISTS cannot include schema elements", 33},
    {"CREATE TABLE fk (a int REFERENCES p MATCH PARTIAL)",
     "0A000", "MATCH PARTIAL not yet implemented", 37},
    {"CREATE ROLE r WITH bogus", "42601", "unrecognized role option \"bogus\"", 20},
    {"CREATE ROLE r UNENCRYPTED PASSWORD 'x'",
     "0A000", "UNENCRYPTED PASSWORD is no longer supported", 15},
    {"CREATE TABLE t1 (a int DEFAULT 1 NOT NULL DEFERRABLE)",
     "42601", "misplaced DEFERRABLE clause", 43},
    {"CREATE TABLE t (a int DEFAULT 1 IS NULL)", "42601", "syntax error at or near \"NULL\"", 36},
    {"CREATE INDEX IF NOT EXISTS ON t (a)", "42601", "syntax error at or near \"ON\"", 28},
    {"EXPLAIN VERBOSE ANALYZE SELECT 1", "42601", "syntax error at or near \"ANALYZE\"", 17},
    {"EXPLAIN (foo) SELECT 1", "42601", "unrecognized EXPLAIN option \"foo\"", 10},
    {"EXPLAIN (ANALYZE maybe) SELECT 1", "42601", "analyze requires a Boolean value", 0},
    {"EXPLAIN (FORMAT foo) SELECT 1",
     "22023", "unrecognized value for EXPLAIN option \"format\": \"foo\"", 10},
    {"EXPLAIN (TIMING) SELECT 1", "22023", "EXPLAIN option TIMING requires ANALYZE", 0},
    {"COPY t TO STDOUT WHERE true", "42601", "WHERE clause not allowed with COPY TO", 18},
    {"COPY t FROM PROGRAM STDIN", "42601", "STDIN/STDOUT not allowed with PROGRAM", 0},
    {"SET CATALOG 'x'", "0A000", "current database cannot be changed", 13},
    {"SELECT 1; SELECT 1 FORM t", "42601", "syntax error at or near \"t\"", 25},
    {"SELECT 1 FROM t WHERE;", "42601", "syntax error at or near \";\"", 22},
    {"SELECT 'é' FROM t WHERE ü +", "42601", "syntax error at end of input", 28},
    {"SELECT 'é' || 'ü' FORM t", "42601", "syntax error at or near \"t\"", 24},
    {"BEGIN ISOLATION LEVEL FOO", "42601", "syntax error at or near \"FOO\"", 23},
    {"ALTER TABLE t ADD", "42601", "syntax error at end of input", 18},
    {"DROP TABLE", "42601", "syntax error at end of input", 11},
    {"SELECT (SELECT 1, 2", "42601", "syntax error at end of input", 20},
    {"SELECT CASE END", "42601", "syntax error at or near \"END\"", 13},
    {"SELECT 1 AS", "42601", "syntax error at end of input", 12},
    {"SELECT foo(", "42601", "syntax error at end of input", 12},
    {"SELECT * FROM t WHERE a IN ()", "42601", "syntax error at or near \")\"", 29},
    {"VALUES ()", "42601", "syntax error at or near \")\"", 9},
    {"INSERT INTO t VALUES", "42601", "syntax error at end of input", 21},
    {"FOO BAR", "42601", "syntax error at or near \"FOO\"", 1},
    {"SELECT 1 ~", "42601", "syntax error at end of input", 11},
    {"SELECT 1 \\ 2", "42601", "syntax error at or near \"\\\"", 10},
    {"SELECT {", "42601", "syntax error at or near \"{\"", 8},
};

static void test_sql_parse_errors_match_postgres(void **state) {
    for (size_t i = 0; i < sizeof pg_errors / sizeof pg_errors[0]; i++) {
        expect_error(pg_errors[i].sql, pg_errors[i].sqlstate, pg_errors[i].message,
                     pg_errors[i].position);
    }
    /* and the hints that go with some of them */
    rt_err err;
    rt_err_clear(&err);
    sql_stmt_list out;
    const char *sql = "SELECT * FROM (SELECT 1)";
    assert_false(sql_parse(test_arena, sql, (uint32_t)strlen(sql), &out, &err));
    assert_string_equal(err.hint, "For example, FROM (SELECT ...) [AS] foo.");
    rt_err_clear(&err);
    sql = "SELECT 1 LIMIT 1, 2";
    assert_false(sql_parse(test_arena, sql, (uint32_t)strlen(sql), &out, &err));
    assert_string_equal(err.hint, "Use separate LIMIT and OFFSET clauses.");
}

/* ---- statement lists ---- */

static void test_sql_parse_statement_lists(void **state) {
    rt_err err;
    rt_err_clear(&err);
    sql_stmt_list out;
    const char *sql = "  SELECT 1; ;; INSERT INTO t VALUES (';')  ;SELECT 'x' -- c\n";
    assert_true(sql_parse(test_arena, sql, (uint32_t)strlen(sql), &out, &err));
    assert_int_equal(out.count, 3);
    assert_int_equal(out.stmts[0].text_start, 2);
    assert_int_equal(out.stmts[0].text_len, 8);
    assert_int_equal(out.stmts[1].node->kind, SQL_N_INSERT);
    assert_memory_equal(sql + out.stmts[1].text_start, "INSERT INTO t VALUES (';')", 26);
    assert_int_equal(out.stmts[1].text_len, 26);
    assert_memory_equal(sql + out.stmts[2].text_start, "SELECT 'x'", 10);
    assert_int_equal(out.stmts[2].text_len, 10);
    static const char *const empty[] = {"", ";", " ;; ; ", "-- nothing\n", "/* */"};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        assert_true(sql_parse(test_arena, empty[i], (uint32_t)strlen(empty[i]), &out, &err));
        assert_int_equal(out.count, 0);
    }
    /* a syntax error anywhere fails the whole string, as in PostgreSQL's simple protocol */
    expect_error("SELECT 1; SELEC 2; SELECT 3", "42601", "syntax error at or near \"SELEC\"", 11);
    /* the text need not be NUL-terminated: only `len` bytes are read */
    assert_true(sql_parse(test_arena, "SELECT 1garbage", 8, &out, &err));
    assert_int_equal(out.count, 1);
    /* invalid UTF-8 is refused before anything else */
    assert_false(sql_parse(test_arena, "SELECT '\xc3'", 10, &out, &err));
    assert_string_equal(err.sqlstate, "22021");
}

static void test_sql_parse_locations(void **state) {
    sql_select *s = (sql_select *)parse_one("SELECT a + b FROM t WHERE c");
    sql_target *t = SQL_LIST_AT(s->targets, 0);
    assert_int_equal(t->hdr.location, 7);
    assert_int_equal(t->expr->location, 9); /* an operator is placed at the operator */
    assert_int_equal(((sql_opexpr *)t->expr)->left->location, 7);
    assert_int_equal(((sql_node *)SQL_LIST_AT(s->from, 0))->location, 18);
    assert_int_equal(s->where->location, 26);
    sql_create_table *ct = (sql_create_table *)parse_one(
        "CREATE TABLE t (a int DEFAULT (1 + 2) * 3)");
    sql_columndef *col = SQL_LIST_AT(ct->columns, 0);
    sql_constraint *c = SQL_LIST_AT(col->constraints, 0);
    assert_string_equal(c->expr_text, "(1 + 2) * 3");
}

static void test_sql_parse_typename_api(void **state) {
    static const struct { const char *text, *shape; } types[] = {
        {"numeric(10,2)", "(type numeric (mods 10 2))"}, {"vector(3)", "(type vector (mods 3))"},
        {"int[]", "(type int4 []x1)"}, {"double precision", "(type float8)"},
        {"timestamp with time zone", "(type timestamptz)"},
        {"pg_catalog.varchar(5)", "(type pg_catalog.varchar (mods 5))"},
        {"\"MyType\"", "(type MyType)"},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        rt_err err;
        rt_err_clear(&err);
        sql_typename *t;
        assert_true(sql_parse_typename(test_arena, types[i].text, (uint32_t)strlen(types[i].text),
                                       &t, &err));
        char *d = sql_ast_dump(t);
        assert_string_equal(d, types[i].shape);
        free(d);
    }
    rt_err err;
    rt_err_clear(&err);
    sql_typename *t;
    assert_false(sql_parse_typename(test_arena, "int junk", 8, &t, &err));
    assert_string_equal(err.message, "syntax error at or near \"junk\"");
    assert_int_equal(err.position, 5);
}

/* ---- nesting limits ---- */

static char *nest(const char *open, const char *middle, const char *close, int depth) {
    size_t lo = strlen(open), lc = strlen(close), lm = strlen(middle);
    char *s = malloc(8 + (size_t)depth * (lo + lc) + lm + 1);
    char *p = s + sprintf(s, "SELECT ");
    for (int i = 0; i < depth; i++) p += sprintf(p, "%s", open);
    p += sprintf(p, "%s", middle);
    for (int i = 0; i < depth; i++) p += sprintf(p, "%s", close);
    return s;
}

typedef struct nest_case {
    const char *open, *middle, *close;
    int ok_depth; /* parses at this depth */
} nest_case;

static const nest_case nest_cases[] = {
    {"(", "1", ")", 450},
    {"NOT ", "true", "", 950},
    {"- ", "x", "", 950},
    {"ARRAY[", "1", "]", 450},
    {"f(", "1", ")", 450},
    {"(SELECT ", "1", ")", 300},
    {"CASE WHEN true THEN ", "1", " END", 450},
    {"x IN (", "1", ")", 450},
    {"EXISTS (SELECT ", "1", ")", 300},
    {"", "1", "::int", 5000}, /* postfix chains do not nest */
};

static bool parse_text(const char *sql, rt_err *err) {
    sql_stmt_list out;
    rt_err_clear(err);
    rt_arena *a = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    bool ok = sql_parse(a, sql, (uint32_t)strlen(sql), &out, err);
    rt_arena_destroy(a);
    return ok;
}

static void test_sql_parse_depth_limit(void **state) {
    for (size_t i = 0; i < sizeof nest_cases / sizeof nest_cases[0]; i++) {
        const nest_case *c = &nest_cases[i];
        rt_err err;
        char *ok = nest(c->open, c->middle, c->close, c->ok_depth);
        if (!parse_text(ok, &err)) {
            fail_msg("depth %d of %s: %s", c->ok_depth, c->open, err.message);
        }
        free(ok);
        if (c->ok_depth >= 5000) continue;
        char *deep = nest(c->open, c->middle, c->close, 100000);
        assert_false(parse_text(deep, &err));
        assert_string_equal(err.sqlstate, "54001");
        assert_string_equal(err.message, "stack depth limit exceeded");
        free(deep);
    }
    /* long flat expressions are loops, not recursion */
    char *flat = malloc(800000);
    char *p = flat + sprintf(flat, "SELECT 1");
    for (int i = 0; i < 100000; i++) p += sprintf(p, " AND x");
    rt_err err;
    assert_true(parse_text(flat, &err));
    free(flat);
}

/* The deepest accepted input of every shape must fit a fiber's stack (rt_limits.h). */
static void *parse_on_small_stack(void *arg) {
    for (size_t i = 0; i < sizeof nest_cases / sizeof nest_cases[0]; i++) {
        const nest_case *c = &nest_cases[i];
        for (int depth = c->ok_depth; depth < c->ok_depth + 2000; depth += 25) {
            char *s = nest(c->open, c->middle, c->close, depth);
            rt_err err;
            bool ok = parse_text(s, &err);
            free(s);
            if (!ok) break; /* reached the limit without running out of stack */
        }
    }
    return arg;
}

static void test_sql_parse_depth_fits_fiber_stack(void **state) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    assert_int_equal(pthread_attr_setstacksize(&attr, RT_FIBER_STACK_BYTES), 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, &attr, parse_on_small_stack, NULL), 0);
    void *ret;
    assert_int_equal(pthread_join(th, &ret), 0);
    pthread_attr_destroy(&attr);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_parse_precedence),
        cmocka_unit_test(test_sql_parse_nonassociative_errors),
        cmocka_unit_test(test_sql_parse_constants),
        cmocka_unit_test(test_sql_parse_casts_and_types),
        cmocka_unit_test(test_sql_parse_special_syntax),
        cmocka_unit_test(test_sql_parse_predicates),
        cmocka_unit_test(test_sql_parse_operators),
        cmocka_unit_test(test_sql_parse_structured_values),
        cmocka_unit_test(test_sql_parse_function_calls),
        cmocka_unit_test(test_sql_parse_benchmark_statements),
        cmocka_unit_test(test_sql_parse_select_clauses),
        cmocka_unit_test(test_sql_parse_limits_and_locking),
        cmocka_unit_test(test_sql_parse_set_operations),
        cmocka_unit_test(test_sql_parse_with),
        cmocka_unit_test(test_sql_parse_from_clause),
        cmocka_unit_test(test_sql_parse_near),
        cmocka_unit_test(test_sql_parse_keywords_as_names),
        cmocka_unit_test(test_sql_parse_insert),
        cmocka_unit_test(test_sql_parse_update_delete),
        cmocka_unit_test(test_sql_parse_create_table),
        cmocka_unit_test(test_sql_parse_create_index),
        cmocka_unit_test(test_sql_parse_sequences_schemas_roles),
        cmocka_unit_test(test_sql_parse_views_and_drops),
        cmocka_unit_test(test_sql_parse_alter_table),
        cmocka_unit_test(test_sql_parse_truncate_comment),
        cmocka_unit_test(test_sql_parse_transactions),
        cmocka_unit_test(test_sql_parse_set_reset_show),
        cmocka_unit_test(test_sql_parse_prepare_execute_cursors),
        cmocka_unit_test(test_sql_parse_explain),
        cmocka_unit_test(test_sql_parse_maintenance),
        cmocka_unit_test(test_sql_parse_copy),
        cmocka_unit_test(test_sql_parse_misc_utility),
        cmocka_unit_test(test_sql_parse_unsupported),
        cmocka_unit_test(test_sql_parse_errors_match_postgres),
        cmocka_unit_test(test_sql_parse_statement_lists),
        cmocka_unit_test(test_sql_parse_locations),
        cmocka_unit_test(test_sql_parse_typename_api),
        cmocka_unit_test(test_sql_parse_depth_limit),
        cmocka_unit_test(test_sql_parse_depth_fits_fiber_stack),
    };
    return cmocka_run_group_tests(tests, parse_setup, parse_teardown);
}
