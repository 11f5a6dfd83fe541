/* test_sql_bind_rules.c: PostgreSQL 15's binding rules that choose what a call or a literal
 * means: function-style casts (int8('123')), unknown literals taking the numeric category's
 * preferred type (sqrt('4')), explicit casts cutting to a typmod ('abcdef'::varchar(3)),
 * interval field modifiers (interval '1' hour), named arguments (make_interval(hours => 36))
 * and date/time literals read at execution when their meaning depends on settings or the
 * clock ('now'), row constructors compared column by column ((a, b) < (c, d)), array
 * slices and multi-dimensional subscripts, UPDATE ... SET a[i] = v, and a subquery over a
 * function of the outer row (psql's \d+ reads reloptions so), and set-returning functions in
 * the select list (lockstep, padded with NULLs); and the wording of binding errors clients
 * match on. An in-process database
 * (sql_test_db.h) runs the statements end to end and the rows are compared as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "tests/sql/sql_test_db.h"

static sdb_result res;

#define CHECK_ROWS(sql, want) TEST_CHECK(sdb_expect(sql, want))
#define CHECK_ERROR(sql, state) TEST_CHECK(sdb_expect_error(sql, state))

static void bind_function_casts(void) {
    CHECK_ROWS("SELECT int8('123'), float8('1.5'), text(123), int4(2.6)", "123|1.5|123|3\n");
    CHECK_ROWS("SELECT pg_typeof(int8('123'))::text, pg_typeof(text(1))::text",
               "bigint|text\n");
    CHECK_ERROR("SELECT int8('1.5')", "22P02");
    CHECK_ERROR("SELECT int4(true, 1)", "42883");
}

static void bind_unknown_numeric(void) {
    CHECK_ROWS("SELECT sqrt('4'), abs('-2.5')", "2|2.5\n");
    CHECK_ROWS("SELECT pg_typeof(abs('1'))::text", "double precision\n");
    CHECK_ERROR("SELECT abs('x')", "22P02");
    TEST_CHECK(sdb_exec("SELECT sqrt('four')", &res) == false);
    TEST_CHECK(strstr(res.err.message, "type double precision: \"four\"") != NULL);
    /* The string category still wins where a function takes text. */
    CHECK_ROWS("SELECT length('abc')", "3\n");
}

static void bind_explicit_typmod(void) {
    CHECK_ROWS("SELECT 'abcdef'::varchar(3), 'abcdef'::char(2)", "abc|ab\n");
    TEST_CHECK(sdb_create_table("CREATE TABLE v (id int8 PRIMARY KEY, s varchar(3))", 2) != 0);
    CHECK_ERROR("INSERT INTO v VALUES (1, 'abcdef')", "22001");
    CHECK_ROWS("INSERT INTO v VALUES (2, 'abcdef'::varchar(3)) RETURNING s", "abc\n");
}

static void bind_interval_fields(void) {
    CHECK_ROWS("SELECT interval '1' hour, interval '90' minute, interval '2' day",
               "01:00:00|01:30:00|2 days\n");
    CHECK_ROWS("SELECT interval '1-2' year to month, interval '3 4:05' day to minute",
               "1 year 2 mons|3 days 04:05:00\n");
    CHECK_ROWS("SELECT interval '1 day 02:03:04.5678' day to second(2)",
               "1 day 02:03:04.57\n");
    CHECK_ROWS("SELECT interval '7'", "00:00:07\n");
}

static void bind_named_args(void) {
    CHECK_ROWS("SELECT make_interval(hours => 36)", "36:00:00\n");
    CHECK_ROWS("SELECT make_interval(years => 1, days => 2, mins => 30)",
               "1 year 2 days 00:30:00\n");
    CHECK_ROWS("SELECT make_interval(1, secs => 1.5)", "1 year 00:00:01.5\n");
    CHECK_ROWS("SELECT make_date(day => 3, month => 2, year => 2024)", "2024-02-03\n");
    CHECK_ERROR("SELECT make_interval(nosuch => 1)", "42883");
    CHECK_ERROR("SELECT make_date(year => 2024, day => 3)", "42883");
    CHECK_ERROR("SELECT make_interval(hours => 1, hours => 2)", "42601");
    /* Never bound by position where the names are unknown. */
    CHECK_ERROR("SELECT lpad('x', len => 3)", "0A000");
}

static void bind_datetime_literals(void) {
    CHECK_ROWS("SELECT '2024-01-02'::date, '2024-01-02 03:04:05'::timestamp",
               "2024-01-02|2024-01-02 03:04:05\n");
    CHECK_ROWS("SELECT '01/02/2024'::date, 'Jan 2 2024'::date", "2024-01-02|2024-01-02\n");
    /* Read at execution (this harness has no statement clock, so only their order shows). */
    CHECK_ROWS("SELECT 'tomorrow'::date > 'yesterday'::date, 'now'::timestamp >= 'today'",
               "t|t\n");
    CHECK_ERROR("SELECT '2024-13-45'::date", "22008");
    CHECK_ERROR("SELECT 'garbage'::date", "22007");
}

static void bind_rows(void) {
    CHECK_ROWS("SELECT ROW(1, 2) = ROW(1, 2), (1, 2) <> (1, 3), (1, 2) < (1, 3), (2, 1) >= (2, 1)",
               "t|t|t|t\n");
    /* The first unequal pair decides; a NULL there makes the answer NULL. */
    CHECK_ROWS("SELECT (1, NULL) < (2, 1), (1, NULL) < (1, 1), (1, 2) = (1, NULL)",
               "t|NULL|NULL\n");
    CHECK_ROWS("SELECT ROW(NULL, NULL) IS NULL, ROW(1, NULL) IS NULL, ROW(1, NULL) IS NOT NULL,"
               " ROW(1, 2) IS NOT NULL", "t|f|f|t\n");
    CHECK_ROWS("SELECT ROW(1, NULL) IS DISTINCT FROM ROW(1, NULL),"
               " (1, 2) IS DISTINCT FROM (1, 3), (1, NULL) IS NOT DISTINCT FROM (1, NULL)",
               "f|t|t\n");
    TEST_CHECK(sdb_create_table("CREATE TABLE r (id int8 PRIMARY KEY, n int4)", 2) != 0);
    TEST_CHECK(sdb_exec("INSERT INTO r VALUES (1, 10), (2, 20), (3, 10)", &res));
    CHECK_ROWS("SELECT id FROM r WHERE (id, n) = (3, 10)", "3\n");
    CHECK_ROWS("SELECT id FROM r WHERE (n, id) > (10, 1) ORDER BY id", "2\n3\n");
    CHECK_ERROR("SELECT (1, 2) = (1, 2, 3)", "42601");
}

static void bind_arrays(void) {
    CHECK_ROWS("SELECT (ARRAY[10, 20, 30, 40])[2:3], (ARRAY[10, 20, 30, 40])[:2],"
               " (ARRAY[10, 20, 30, 40])[3:], (ARRAY[1, 2])[5:6]",
               "{20,30}|{10,20}|{30,40}|{}\n");
    CHECK_ROWS("SELECT (ARRAY[[1, 2], [3, 4]])[2][1], (ARRAY[[1, 2], [3, 4]])[1],"
               " (ARRAY[[1, 2], [3, 4]])[1][5]", "3|NULL|NULL\n");
    /* A plain subscript among slices is 1:i; bounds are clamped and restart at 1. */
    CHECK_ROWS("SELECT (ARRAY[[1, 2], [3, 4]])[1:1][2], (ARRAY[[1, 2], [3, 4]])[:][2:],"
               " ('[3:5]={1,2,3}'::int[])[4:10], (ARRAY['a', NULL, 'c'])[1:2]",
               "{{1,2}}|{{2},{4}}|{2,3}|{a,NULL}\n");
    CHECK_ROWS("SELECT (ARRAY[1, 2])[NULL:1] IS NULL", "t\n");
    CHECK_ROWS("SELECT ARRAY[1, 2] = ARRAY[1, 2], ARRAY[1, 2] < ARRAY[1, 3]", "t|t\n");
    TEST_CHECK(sdb_create_table("CREATE TABLE a (id int8 PRIMARY KEY, nums int4[])", 2) != 0);
    TEST_CHECK(sdb_exec("INSERT INTO a VALUES (1, '{1,2,3}'), (2, '{1,2,3}'), (3, NULL),"
                        " (4, '{5}')", &res));
    TEST_CHECK(sdb_exec("UPDATE a SET nums[2] = 20 WHERE id = 1", &res));
    TEST_CHECK(sdb_exec("UPDATE a SET nums[5] = 50 WHERE id = 2", &res));
    TEST_CHECK(sdb_exec("UPDATE a SET nums[3] = 7 WHERE id = 3", &res));
    TEST_CHECK(sdb_exec("UPDATE a SET nums[0] = '0' WHERE id = 4", &res));
    CHECK_ROWS("SELECT id, nums FROM a ORDER BY id",
               "1|{1,20,3}\n2|{1,2,3,NULL,50}\n3|[3:3]={7}\n4|[0:1]={0,5}\n");
    CHECK_ERROR("UPDATE a SET nums[NULL] = 1", "22004");
    CHECK_ERROR("UPDATE a SET nums[1:2] = '{1,2}'", "0A000");
    /* A function in a subquery's FROM over the outer row runs once per outer row. */
    CHECK_ROWS("SELECT id, array(SELECT 'n' || x FROM unnest(nums) x),"
               " (SELECT count(*) FROM unnest(nums)) FROM a ORDER BY id",
               "1|{n1,n20,n3}|3\n2|{n1,n2,n3,NULL,n50}|5\n3|{n7}|1\n4|{n0,n5}|2\n");
}

static void bind_select_list_srfs(void) {
    CHECK_ROWS("SELECT unnest(ARRAY[3, 1, 2])", "3\n1\n2\n");
    CHECK_ROWS("SELECT 1, unnest(ARRAY['x', 'y'])", "1|x\n1|y\n");
    CHECK_ROWS("SELECT unnest(ARRAY[[1, 2], [3, 4]])", "1\n2\n3\n4\n");
    CHECK_ROWS("SELECT unnest('{}'::int[])", "");
    /* Lockstep: the shorter set is padded with NULLs. */
    CHECK_ROWS("SELECT generate_series(1, 3), unnest(ARRAY['a', 'b']), 7",
               "1|a|7\n2|b|7\n3|NULL|7\n");
    CHECK_ROWS("SELECT unnest(ARRAY[1, 2]) + unnest(ARRAY[10, 20, 30])", "11\n22\nNULL\n");
    CHECK_ROWS("SELECT unnest(ARRAY[3, 1, 2]) AS u ORDER BY u", "1\n2\n3\n");
    CHECK_ROWS("SELECT generate_series(1, 3) LIMIT 2", "1\n2\n");
    CHECK_ROWS("SELECT count(*), generate_series(1, 2) FROM a", "4|1\n4|2\n");
    /* Per input row; a row whose sets are all empty (or NULL) yields nothing. */
    CHECK_ROWS("SELECT id, unnest(nums) FROM a WHERE id IN (3, 4) ORDER BY id, 2",
               "3|7\n4|0\n4|5\n");
    CHECK_ROWS("SELECT count(*) FROM (SELECT generate_series(1, 5000)) s", "5000\n");
    CHECK_ERROR("SELECT CASE WHEN true THEN generate_series(1, 2) END", "0A000");
    CHECK_ERROR("SELECT unnest(ARRAY[generate_series(1, 2)])", "0A000");
}

static void bind_check_message(const char *sql, const char *message) {
    TEST_CHECK(sdb_exec(sql, &res) == false);
    TEST_CHECK(strcmp(res.err.message, message) == 0);
    if (strcmp(res.err.message, message) != 0) fprintf(stderr, "%s: %s\n", sql, res.err.message);
}

static void bind_error_messages(void) {
    /* CASE resolves its ELSE result first. */
    bind_check_message("SELECT CASE WHEN true THEN 1 ELSE 'a'::text END",
                       "CASE types text and integer cannot be matched");
    bind_check_message("SELECT CASE WHEN true THEN 1 WHEN false THEN 'x'::text END",
                       "CASE types integer and text cannot be matched");
    bind_check_message("SELECT id, count(*) FROM r", "column \"r.id\" must appear in the GROUP "
                       "BY clause or be used in an aggregate function");
    bind_check_message("SELECT x.n FROM r x GROUP BY x.id", "column \"x.n\" must appear in the "
                       "GROUP BY clause or be used in an aggregate function");
    bind_check_message("SELECT * FROM r AS m WHERE r.id = 1",
                       "invalid reference to FROM-clause entry for table \"r\"");
    bind_check_message("SELECT * FROM r WHERE nosuch.id = 1",
                       "missing FROM-clause entry for table \"nosuch\"");
    bind_check_message("SELECT pg_catalog.nosuch()",
                       "function pg_catalog.nosuch() does not exist");
    bind_check_message("SELECT 1::nosuchtype[]", "type \"nosuchtype[]\" does not exist");
    bind_check_message("SELECT DISTINCT ON (n) n, id FROM r ORDER BY id",
                       "SELECT DISTINCT ON expressions must match initial ORDER BY expressions");
    CHECK_ROWS("SELECT DISTINCT ON (n) n, id FROM r ORDER BY n, id DESC", "10|3\n20|2\n");
    CHECK_ROWS("SELECT DISTINCT ON (n, id) n, id FROM r ORDER BY id, n LIMIT 1", "10|1\n");
    /* Only a cast lends ARRAY[...] its element type; assignment sees text[]. */
    bind_check_message("INSERT INTO a VALUES (9, ARRAY['1'])",
                       "column \"nums\" is of type integer[] but expression is of type text[]");
    CHECK_ROWS("INSERT INTO a VALUES (9, ARRAY['1', '2']::int[]) RETURNING nums", "{1,2}\n");
    CHECK_ROWS("SELECT ARRAY['1', NULL]::int[], ARRAY[1.5, 2.7]::int[],"
               " ARRAY[['1'], ['2']]::int8[]", "{1,NULL}|{2,3}|{{1},{2}}\n");
}

static void bind_fiber(void *arg) {
    (void)arg;
    bind_function_casts();
    bind_unknown_numeric();
    bind_explicit_typmod();
    bind_interval_fields();
    bind_named_args();
    bind_datetime_literals();
    bind_rows();
    bind_arrays();
    bind_select_list_srfs();
    bind_error_messages();
    rt_runtime_stop();
}

static void test_sql_bind_rules(void **state) {
    (void)state;
    assert_int_equal(sdb_run(2, bind_fiber, NULL), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_bind_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
