/* test_eng_zone_bpchar.c: char(n) (bpchar) columns keep zone maps as text does, by the keys
 * of their first 8 bytes without trailing spaces (eng_zone_value_key: char(n) compares without
 * them, so 'k1' = 'k1   ' and 'k1 ' < 'k1!'): every comparison (= < <= > >=, either side,
 * BETWEEN, values of several lengths, a constant with trailing spaces, NULLs) gives the rows
 * the same test on the value as text gives (which the scan cannot hand to the store), before
 * and after UPDATEs and a restart (zones rebuilt from the checkpoint); and a narrow range of
 * clustered values really skips row groups: the store returns a small fraction of the rows.
 * How: a real engine in a temporary directory driven by SQL sessions in-process (the harness of
 * tests/sql/sql_session_harness.h); the store is scanned directly on the partitions' shards. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "tests/sql/sql_session_harness.h"
#include "tests/engine/zone_scan.h"

#define ROWS 20000

/* ---- the store's own answer to a range ---- */

/* The zone key of a char(n) constant (without its trailing spaces). */
static int64_t bpchar_key(const char *s) {
    return eng_zone_value_key(SQL_T_BPCHAR, (const uint8_t *)s, (uint32_t)strlen(s));
}

/* ---- the same rows through SQL ---- */

static void check_all_ops(capture *c) {
    static const char *const cases[][2] = {
        {"bc = 'k000777'", "bc::text = 'k000777'"},
        {"bc = 'k000777   '", "bc::text = 'k000777'"},
        {"bc < 'k000300'", "bc::text < 'k000300'"},
        {"bc <= 'k000300'", "bc::text <= 'k000300'"},
        {"bc > 'k019700'", "bc::text > 'k019700'"},
        {"bc >= 'k019700 '", "bc::text >= 'k019700'"},
        {"'k000300' > bc", "'k000300' > bc::text"},
        {"bc BETWEEN 'k005000' AND 'k005100'", "bc::text BETWEEN 'k005000' AND 'k005100'"},
        {"bc > 'k0050001'", "bc::text > 'k0050001'"}, /* 8 bytes shared with k005000 + 1 */
        {"bc < 'k0050001'", "bc::text < 'k0050001'"},
        {"bc = 's'", "bc::text = 's'"},
        {"bc > 's'", "bc::text > 's'"},
        {"bc < 's!'", "bc::text < 's!'"},
        {"bc <= 's '", "bc::text <= 's'"},
        {"bc < 'a'", "bc::text < 'a'"},
        {"bc > 'z'", "bc::text > 'z'"},
        {"bc < NULL", "bc::text < NULL"},
        {"bc > ''", "bc::text > ''"},
        {"bc IS NULL", "bc::text IS NULL"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        zone_same_rows(c, "zb", cases[k][0], cases[k][1]);
    }
}

static void script_before_restart(capture *c) {
    expect(c, "CREATE TABLE zb (id int PRIMARY KEY, bc char(10))", "CREATE TABLE\n");
    char sql[400];
    snprintf(sql, sizeof sql,
             "INSERT INTO zb SELECT g, CASE WHEN g %% 89 = 0 THEN NULL WHEN g %% 101 = 0 "
             "THEN 's' ELSE 'k' || lpad(g::text, 6, '0') END FROM generate_series(1, %d) g",
             ROWS);
    expect(c, sql, "INSERT 0 20000\n");
    check_all_ops(c);
    /* A narrow range of clustered values skips most row groups. */
    zone_scan z = store_range("zb", 2, SQL_T_BPCHAR, bpchar_key("k005000"), bpchar_key("k005100"));
    TEST_CHECK(z.total == ROWS);
    TEST_CHECK(z.returned < z.total / 4);
    TEST_CHECK(z.returned >= 101 - 3); /* the rows in range (two NULL, one 's') are among them */
    expect(c, "UPDATE zb SET bc = 'k000150' WHERE id BETWEEN 19000 AND 19009", "UPDATE 10\n");
    expect(c, "UPDATE zb SET bc = 'a' WHERE id BETWEEN 300 AND 399", "UPDATE 100\n");
    check_all_ops(c);
    zone_same_rows(c, "zb", "bc = 'a'", "bc::text = 'a'");
    expect(c, "CHECKPOINT", "CHECKPOINT\n");
}

static void script_after_restart(capture *c) {
    check_all_ops(c);
    zone_scan z = store_range("zb", 2, SQL_T_BPCHAR, bpchar_key("k005000"), bpchar_key("k005100"));
    TEST_CHECK(z.returned < z.total / 4);
}

static void test_zone_bpchar(void **state) {
    (void)state;
    char dir[128];
    assert_true(sh_dir_fresh(dir, sizeof dir, "zone_bpchar"));
    assert_int_equal(sh_run_forked(dir, 2, script_before_restart, NULL), 0);
    assert_int_equal(sh_run_forked(dir, 2, script_after_restart, NULL), 0);
    assert_true(sh_dir_remove(dir));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_zone_bpchar)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
