/* test_sql_window.c: window functions (OVER), binder and executor.
 * Three levels; the first two need no storage engine:
 *  - the WINDOW operator alone: plans built by hand (a VALUES node under a WINDOW node) run
 *    through the executor, for partitions that span input batches, frames, and the partition
 *    size limit (54000);
 *  - SQL text over inline VALUES through parse -> bind -> execute, compared with PostgreSQL
 *    15's answers recorded in test_sql_window_cases.h (tests/sql/gen_sql_window_cases.py),
 *    errors included (SQLSTATE and message);
 *  - a table on two shards (sql_test_db.h): windows over gathered scans, over grouped rows,
 *    and under a filter on their result, again with PostgreSQL 15's answers.
 * Results are text: columns joined by '|', rows by '\n', NULL as "NULL"; an error as
 * "ERROR <sqlstate>: <message>". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sql/sql_bind.h"
#include "sql/sql_exec_int.h"
#include "sql/sql_pgcat.h"
#include "sql/sql_window.h"

#include "tests/sql/sql_test_db.h"
#include "tests/sql/test_sql_window_cases.h"

/* ---- running plans ---- */

static rt_arena *tw_arena;
static eng_catalog *tw_catalog;
static rt_err tw_err;

static int tw_setup(void **state) {
    (void)state;
    sql_types_init();
    sql_funcs_init();
    sql_aggs_init();
    tw_catalog = eng_catalog_bootstrap("postgres");
    return tw_catalog != NULL ? 0 : -1;
}

static int tw_before(void **state) {
    (void)state;
    tw_arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    rt_err_clear(&tw_err);
    return 0;
}

static int tw_after(void **state) {
    (void)state;
    rt_arena_destroy(tw_arena);
    sql_window_partition_bytes_max = SQL_WINDOW_PARTITION_BYTES_MAX;
    return 0;
}

static const char *tw_error_text(const rt_err *err) {
    return rt_arena_sprintf(tw_arena, "ERROR %s: %s", err->sqlstate, err->message);
}

typedef struct tw_sink {
    sql_strbuf sb;
    const sql_plan *plan;
    sql_io_ctx io;
    uint64_t rows;
} tw_sink;

static bool tw_sink_rows(void *arg, const sql_batch *b, uint32_t from, uint32_t to, rt_err *err) {
    tw_sink *s = arg;
    for (uint32_t r = from; r < to; r++) {
        if (s->rows++ > 0) sql_strbuf_putc(&s->sb, '\n');
        for (uint32_t c = 0; c < b->ncols; c++) {
            if (c > 0) sql_strbuf_putc(&s->sb, '|');
            sql_value v;
            sql_vec_get(&b->cols[c], r, &v);
            if (v.is_null) {
                sql_strbuf_puts(&s->sb, "NULL");
            } else if (!sql_value_out(&s->io, &v, s->plan->cols[c].typmod, &s->sb)) {
                return rt_err_is_set(err) ? false : rt_err_set(err, "XX000", "output failed");
            }
        }
    }
    return true;
}

/* Runs a plan to completion; its rows as text, or the error. */
static const char *tw_run(const sql_plan *plan) {
    static sql_fmt fmt = {.extra_float_digits = 1};
    sql_exec_ctx x;
    memset(&x, 0, sizeof x);
    x.arena = tw_arena;
    x.err = &tw_err;
    x.fmt = fmt;
    x.catalog = tw_catalog;
    tw_sink s = {.plan = plan};
    sql_strbuf_init(&s.sb, tw_arena, 256);
    s.io = (sql_io_ctx){.arena = tw_arena, .fmt = &fmt, .err = &tw_err};
    sql_cursor c;
    uint64_t emitted;
    bool more;
    bool ok = sql_cursor_open(&c, &x, plan) && sql_cursor_fetch(&c, 0, tw_sink_rows, &s,
                                                                &emitted, &more);
    sql_cursor_close(&c);
    if (!ok) return tw_error_text(&tw_err);
    sql_strbuf_putc(&s.sb, '\0');
    return s.sb.data;
}

/* Parses, binds and runs one SELECT. */
static const char *tw_sql(const char *sql) {
    rt_err_clear(&tw_err);
    sql_stmt_list list;
    if (!sql_parse(tw_arena, sql, (uint32_t)strlen(sql), &list, &tw_err)) {
        return tw_error_text(&tw_err);
    }
    assert_int_equal(list.count, 1);
    static const char *const path[] = {"public"};
    sql_bind_ctx bc = {.arena = tw_arena, .err = &tw_err, .catalog = tw_catalog,
                       .search_path = path, .nsearch = 1, .sql = sql,
                       .sql_len = (uint32_t)strlen(sql), .shard_count = 1};
    sql_query *q;
    if (!sql_bind_query(&bc, list.stmts[0].node, &q)) return tw_error_text(&tw_err);
    return tw_run(q->plan);
}

/* ---- plans by hand ---- */

static sql_expr *tw_int(int64_t v, bool is_null) {
    sql_value val = {.type_oid = SQL_T_INT4, .is_null = is_null, .i64 = v};
    return sql_expr_const(tw_arena, &val, -1);
}

static sql_expr *tw_int8(int64_t v) {
    sql_value val = {.type_oid = SQL_T_INT8, .i64 = v};
    return sql_expr_const(tw_arena, &val, -1);
}

static sql_expr *tw_col(uint32_t i) { return sql_expr_column(tw_arena, i, SQL_T_INT4, -1); }

/* VALUES of n rows (g, v): g = i / group_rows, v = i % 7 (NULL when i % 11 == 10). */
static sql_plan *tw_values(uint32_t n, uint32_t group_rows) {
    sql_plan *p = sql_plan_new(tw_arena, SQL_P_VALUES, 2);
    p->values.nrows = n;
    p->values.rows = rt_arena_alloc(tw_arena, sizeof(sql_expr **) * n);
    for (uint32_t i = 0; i < n; i++) {
        sql_expr **row = rt_arena_alloc(tw_arena, sizeof(sql_expr *) * 2);
        row[0] = tw_int(i / group_rows, false);
        row[1] = tw_int(i % 7, i % 11 == 10);
        p->values.rows[i] = row;
    }
    p->cols[0] = (sql_col){.name = "g", .type_oid = SQL_T_INT4, .typmod = -1};
    p->cols[1] = (sql_col){.name = "v", .type_oid = SQL_T_INT4, .typmod = -1};
    return p;
}

/* A window function over `in`, partitioned by column 0 (when `part`), ordered by none. */
static sql_window_func tw_func(sql_win_kind kind, const char *agg, uint32_t type, bool part) {
    sql_window_func f = {.kind = kind, .name = agg != NULL ? agg : "f", .type_oid = type,
                         .typmod = -1};
    if (agg != NULL) {
        sql_agg_list l = sql_aggs_lookup(agg);
        for (uint32_t i = 0; i < l.count; i++) { /* sum(int4), else count("any") */
            const sql_agg_def *d = l.items[i];
            if (d->nargs == 1 && (d->args[0] == SQL_T_INT4 || (f.agg == NULL &&
                                                                d->args[0] == SQL_T_ANY))) {
                f.agg = d;
            }
        }
        assert_non_null(f.agg);
        f.nargs = 1;
        f.args = rt_arena_alloc(tw_arena, sizeof(sql_expr *));
        f.args[0] = tw_col(1);
    }
    if (part) {
        f.npart = 1;
        f.part = rt_arena_alloc(tw_arena, sizeof(sql_expr *));
        f.part[0] = tw_col(0);
    }
    f.frame = (sql_window_frame){.mode = SQL_WIN_FRAME_ROWS};
    f.frame.start.kind = SQL_WIN_UNBOUNDED_PRECEDING;
    f.frame.end.kind = SQL_WIN_UNBOUNDED_FOLLOWING;
    return f;
}

static sql_plan *tw_window(sql_plan *in, sql_window_func *funcs, uint32_t n) {
    sql_plan *w = sql_plan_new(tw_arena, SQL_P_WINDOW, in->ncols + n);
    memcpy(w->cols, in->cols, sizeof(sql_col) * in->ncols);
    for (uint32_t i = 0; i < n; i++) {
        w->cols[in->ncols + i] = (sql_col){.name = funcs[i].name, .type_oid = funcs[i].type_oid,
                                           .typmod = -1};
    }
    w->left = in;
    w->window.nfuncs = n;
    w->window.funcs = funcs;
    return w;
}

/* Counts lines of a result and returns line `k` (0-based) in `out`. */
static uint32_t tw_line(const char *text, uint32_t k, char *out, size_t cap) {
    uint32_t lines = 0;
    const char *p = text;
    out[0] = '\0';
    while (*p != '\0') {
        const char *e = strchr(p, '\n');
        size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
        if (lines == k) snprintf(out, cap, "%.*s", (int)len, p);
        lines++;
        if (e == NULL) break;
        p = e + 1;
    }
    return lines;
}

/* ---- the operator ---- */

/* Partitions of 1500 rows over input batches of 1024: row numbers restart, and count(v) and
 * sum(v) over the whole partition agree with a direct computation. */
static void test_window_partitions_span_batches(void **state) {
    (void)state;
    uint32_t n = 4000, group = 1500;
    sql_window_func *f = rt_arena_alloc(tw_arena, sizeof *f * 3);
    f[0] = tw_func(SQL_WIN_ROW_NUMBER, NULL, SQL_T_INT8, true);
    f[1] = tw_func(SQL_WIN_AGG, "count", SQL_T_INT8, true);
    f[2] = tw_func(SQL_WIN_AGG, "sum", SQL_T_INT8, true);
    const char *out = tw_run(tw_window(tw_values(n, group), f, 3));
    char line[128];
    assert_int_equal(tw_line(out, 0, line, sizeof line), n);
    int64_t sums[3] = {0}, counts[3] = {0};
    for (uint32_t i = 0; i < n; i++) {
        if (i % 11 != 10) sums[i / group] += i % 7;
        if (i % 11 != 10) counts[i / group]++;
    }
    for (uint32_t i = 0; i < n; i += 97) {
        tw_line(out, i, line, sizeof line);
        uint32_t g = i / group;
        char want[128];
        char v[16] = "NULL";
        if (i % 11 != 10) snprintf(v, sizeof v, "%u", i % 7);
        snprintf(want, sizeof want, "%u|%s|%u|%lld|%lld", g, v, i % group + 1,
                 (long long)counts[g], (long long)sums[g]);
        assert_string_equal(line, want);
    }
}

/* ROWS 2 PRECEDING .. 1 FOLLOWING over one partition, checked against direct sums; the
 * incremental path (UNBOUNDED PRECEDING .. CURRENT ROW) against running sums; and the reverse
 * path (CURRENT ROW .. UNBOUNDED FOLLOWING) against suffix sums. */
static void test_window_rows_frames(void **state) {
    (void)state;
    uint32_t n = 2100;
    sql_window_func *f = rt_arena_alloc(tw_arena, sizeof *f * 3);
    f[0] = tw_func(SQL_WIN_AGG, "sum", SQL_T_INT8, false);
    f[0].frame.start = (sql_window_bound){.kind = SQL_WIN_PRECEDING, .offset = tw_int8(2)};
    f[0].frame.end = (sql_window_bound){.kind = SQL_WIN_FOLLOWING, .offset = tw_int8(1)};
    f[1] = tw_func(SQL_WIN_AGG, "sum", SQL_T_INT8, false);
    f[1].frame.end.kind = SQL_WIN_CURRENT_ROW;
    f[2] = tw_func(SQL_WIN_AGG, "sum", SQL_T_INT8, false);
    f[2].frame.start.kind = SQL_WIN_CURRENT_ROW;
    const char *out = tw_run(tw_window(tw_values(n, n), f, 3));
    char line[128], want[128];
    int64_t running = 0, total = 0;
    for (uint32_t i = 0; i < n; i++) total += i % 11 != 10 ? i % 7 : 0;
    for (uint32_t i = 0; i < n; i++) {
        int64_t win = 0;
        bool any = false;
        for (int64_t j = (int64_t)i - 2; j <= (int64_t)i + 1; j++) {
            if (j < 0 || j >= (int64_t)n || j % 11 == 10) continue;
            win += j % 7;
            any = true;
        }
        int64_t suffix = total - running;
        if (i % 11 != 10) running += i % 7;
        tw_line(out, i, line, sizeof line);
        const char *last = strchr(strchr(line, '|') + 1, '|') + 1;
        char w[32] = "NULL";
        if (any) snprintf(w, sizeof w, "%lld", (long long)win);
        snprintf(want, sizeof want, "%s|%lld|%lld", w, (long long)running, (long long)suffix);
        assert_string_equal(last, want);
    }
}

/* A partition past the limit fails with 54000 and names the limit. */
static void test_window_partition_limit(void **state) {
    (void)state;
    sql_window_partition_bytes_max = 256u << 10;
    sql_window_func *f = rt_arena_alloc(tw_arena, sizeof *f);
    f[0] = tw_func(SQL_WIN_ROW_NUMBER, NULL, SQL_T_INT8, true);
    const char *out = tw_run(tw_window(tw_values(20000, 20000), f, 1));
    assert_string_equal(out, "ERROR 54000: window partition too large: more than 262144 bytes");
    /* Smaller partitions of the same input pass under the same limit. */
    tw_after(state);
    tw_before(state);
    sql_window_partition_bytes_max = 256u << 10;
    f = rt_arena_alloc(tw_arena, sizeof *f);
    f[0] = tw_func(SQL_WIN_ROW_NUMBER, NULL, SQL_T_INT8, true);
    out = tw_run(tw_window(tw_values(20000, 100), f, 1));
    char line[128];
    assert_int_equal(tw_line(out, 19999, line, sizeof line), 20000);
    assert_string_equal(line, "199|0|100");
}

/* An empty input gives no rows (and no partition). */
static void test_window_empty_input(void **state) {
    (void)state;
    sql_window_func *f = rt_arena_alloc(tw_arena, sizeof *f);
    f[0] = tw_func(SQL_WIN_AGG, "count", SQL_T_INT8, false);
    assert_string_equal(tw_run(tw_window(tw_values(0, 1), f, 1)), "");
}

/* ---- SQL, compared with PostgreSQL 15 ---- */

/* Cases that read or print numeric or date values need those types' text I/O, which trees
 * without the numeric and datetime modules lack; they are skipped there (and counted). */
static bool tw_case_runnable(const char *sql) {
    bool numeric_io = sql_type_by_oid(SQL_T_NUMERIC)->in != NULL &&
                      sql_type_by_oid(SQL_T_NUMERIC)->out != NULL;
    bool date_io = sql_type_by_oid(SQL_T_DATE)->in != NULL;
    if (!numeric_io && (strstr(sql, "avg(") != NULL || strstr(sql, ".5") != NULL)) return false;
    return date_io || strstr(sql, "date") == NULL;
}

static void test_window_sql_cases(void **state) {
    (void)state;
    int failures = 0, skipped = 0;
    for (size_t k = 0; k < sizeof tw_cases / sizeof tw_cases[0]; k++) {
        if (!tw_case_runnable(tw_cases[k].sql)) {
            skipped++;
            continue;
        }
        const char *got = tw_sql(tw_cases[k].sql);
        if (strcmp(got, tw_cases[k].expect) != 0) {
            print_error("case %zu: %s\n  expected: %s\n  got:      %s\n", k, tw_cases[k].sql,
                        tw_cases[k].expect, got);
            failures++;
        }
    }
    if (skipped > 0) print_message("%d cases skipped: no numeric/date text I/O\n", skipped);
    assert_int_equal(failures, 0);
}

/* Window results are computed after grouping and before the select list's projection: a
 * second window over the first's ORDER BY keys reuses the sort (one SORT node). */
static void test_window_plan_shape(void **state) {
    (void)state;
    const char *sql = "select a, rank() over (order by a), sum(b) over (order by a rows 1 "
                      "preceding), count(*) over () from (values (2, 1), (1, 3)) t(a, b)";
    rt_err_clear(&tw_err);
    sql_stmt_list list;
    assert_true(sql_parse(tw_arena, sql, (uint32_t)strlen(sql), &list, &tw_err));
    static const char *const path[] = {"public"};
    sql_bind_ctx bc = {.arena = tw_arena, .err = &tw_err, .catalog = tw_catalog,
                       .search_path = path, .nsearch = 1, .sql = sql,
                       .sql_len = (uint32_t)strlen(sql), .shard_count = 1};
    sql_query *q;
    assert_true(sql_bind_query(&bc, list.stmts[0].node, &q));
    const sql_plan *p = q->plan;
    assert_int_equal(p->kind, SQL_P_PROJECT);
    p = p->left;
    assert_int_equal(p->kind, SQL_P_WINDOW); /* count(*) over () */
    assert_int_equal(p->window.nfuncs, 1);
    p = p->left;
    assert_int_equal(p->kind, SQL_P_WINDOW); /* rank and sum share ORDER BY a */
    assert_int_equal(p->window.nfuncs, 2);
    assert_int_equal(p->left->kind, SQL_P_SORT);
    assert_int_equal(p->left->left->kind, SQL_P_VALUES);
    assert_string_equal(tw_run(q->plan), "1|1|3|2\n2|2|4|2");
}

/* ---- over a table ---- */

static void tw_table_fiber(void *arg) {
    (void)arg;
    TEST_CHECK(sdb_create_table("CREATE TABLE tw (id int8 PRIMARY KEY, grp int4, val int4, "
                                "name text)", 4) != 0);
    char sql[4096];
    int len = snprintf(sql, sizeof sql, "INSERT INTO tw VALUES ");
    for (int i = 1; i <= 40; i++) {
        char val[16] = "NULL";
        if (i % 9 != 0) snprintf(val, sizeof val, "%d", (i * 37) % 11);
        len += snprintf(sql + len, sizeof sql - (size_t)len, "%s(%d, %d, %s, 'n%d')",
                        i > 1 ? ", " : "", i, i % 4, val, i % 5);
    }
    static sdb_result res;
    TEST_CHECK(sdb_exec(sql, &res));
    TEST_CHECK(sdb_expect(
        "select id, grp, row_number() over (partition by grp order by id), sum(val) over "
        "(partition by grp order by id rows between 1 preceding and current row), lag(name) "
        "over (partition by grp order by id) from tw where id <= 12 order by id",
        "1|1|1|4|NULL\n2|2|1|8|NULL\n3|3|1|1|NULL\n4|0|1|5|NULL\n5|1|2|13|n1\n6|2|2|10|n2\n"
        "7|3|2|7|n3\n8|0|2|15|n4\n9|1|3|9|n0\n10|2|3|9|n1\n11|3|3|6|n2\n12|0|3|14|n3\n"));
    TEST_CHECK(sdb_expect(
        "select grp, count(*), sum(val), rank() over (order by sum(val) desc), sum(count(*)) "
        "over (order by grp) from tw group by grp order by grp",
        "0|10|54|1|10\n1|10|42|3|20\n2|10|46|2|30\n3|10|39|4|40\n"));
    TEST_CHECK(sdb_expect(
        "select * from (select id, grp, val, row_number() over (partition by grp order by val "
        "desc nulls last, id) rn from tw) s where rn <= 2 order by grp, rn",
        "8|0|10|1\n16|0|9|2\n5|1|9|1\n13|1|8|2\n30|2|10|1\n38|2|9|2\n19|3|10|1\n35|3|8|2\n"));
    TEST_CHECK(sdb_expect(
        "select name, count(*) over (partition by name), max(val) over (partition by name "
        "order by id range between unbounded preceding and unbounded following), id from tw "
        "where id > 30 order by id",
        "n1|2|3|31\nn2|2|7|32\nn3|2|9|33\nn4|2|4|34\nn0|2|8|35\nn1|2|3|36\nn2|2|7|37\n"
        "n3|2|9|38\nn4|2|4|39\nn0|2|8|40\n"));
    TEST_CHECK(sdb_expect_error("select id from tw where rank() over (order by id) = 1",
                                "42P20"));
    TEST_CHECK(sdb_exec("explain select id, row_number() over (partition by grp order by id) "
                        "from tw", &res));
    TEST_CHECK(strstr(res.text, "WindowAgg") != NULL);
    rt_runtime_stop();
}

static void test_window_over_table(void **state) {
    (void)state;
    assert_int_equal(sdb_run(2, tw_table_fiber, NULL), 0);
}

/* Window function calls written twice (select list and ORDER BY) are computed once. */
static uint32_t tw_count_funcs(const sql_plan *p) {
    if (p == NULL) return 0;
    uint32_t n = p->kind == SQL_P_WINDOW ? p->window.nfuncs : 0;
    return n + tw_count_funcs(p->left) + tw_count_funcs(p->right);
}

static void test_window_calls_shared(void **state) {
    (void)state;
    const char *sql = "select a, rank() over (order by a), sum(b) over (order by a) from "
                      "(values (2, 1), (1, 3), (3, 5)) t(a, b) order by rank() over (order by "
                      "a) desc, sum(b) over (order by a rows unbounded preceding)";
    sql_stmt_list list;
    assert_true(sql_parse(tw_arena, sql, (uint32_t)strlen(sql), &list, &tw_err));
    static const char *const path[] = {"public"};
    sql_bind_ctx bc = {.arena = tw_arena, .err = &tw_err, .catalog = tw_catalog,
                       .search_path = path, .nsearch = 1, .sql = sql,
                       .sql_len = (uint32_t)strlen(sql), .shard_count = 1};
    sql_query *q;
    assert_true(sql_bind_query(&bc, list.stmts[0].node, &q));
    assert_int_equal(tw_count_funcs(q->plan), 3); /* the ROWS frame differs: its own call */
    assert_string_equal(tw_run(q->plan), "3|3|9\n2|2|4\n1|1|3");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_window_partitions_span_batches, tw_before,
                                        tw_after),
        cmocka_unit_test_setup_teardown(test_window_rows_frames, tw_before, tw_after),
        cmocka_unit_test_setup_teardown(test_window_partition_limit, tw_before, tw_after),
        cmocka_unit_test_setup_teardown(test_window_empty_input, tw_before, tw_after),
        cmocka_unit_test_setup_teardown(test_window_sql_cases, tw_before, tw_after),
        cmocka_unit_test_setup_teardown(test_window_plan_shape, tw_before, tw_after),
        cmocka_unit_test_setup_teardown(test_window_calls_shared, tw_before, tw_after),
        cmocka_unit_test(test_window_over_table),
    };
    return cmocka_run_group_tests(tests, tw_setup, NULL);
}
