/* test_eng_zone.c: row groups skipped by their zone maps (eng_part_scan_pre's ranges, which
 * the SQL scan builds from `col op const` on int2/int4/int8/date/timestamp[tz] columns, and on
 * text/varchar/bytea/uuid columns by the keys of their first 8 bytes, eng_zone_bytes_key:
 * plain text chunks, dictionary-encoded ones, strict bounds between values sharing a key):
 * every comparison (= < <= > >=, either side, BETWEEN, cross-width integers, parameters of
 * EXECUTE) gives the rows the same test gives when it cannot be handed to the store, with NULLs,
 * after UPDATEs that move values, DELETEs and vacuum, on a column added with a default, and
 * after a restart (zones rebuilt from the checkpoint); and a narrow range really skips row
 * groups: the store returns a small fraction of the table's rows.
 * How: a real engine in a temporary directory driven by SQL sessions in-process (the harness of
 * tests/sql/sql_session_harness.h); the store is scanned directly on the partitions' shards. */
// ctest: TIMEOUT 600
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

/* The zone key of a text constant. */
static int64_t text_key(const char *s) {
    return eng_zone_bytes_key((const uint8_t *)s, (uint32_t)strlen(s));
}

/* ---- the same rows through SQL ---- */

static void check_all_ops(capture *c) {
    static const char *const cases[][2] = {
        {"i4 = 777", "i4 + 0 = 777"},
        {"i4 < 300", "i4 + 0 < 300"},
        {"i4 <= 300", "i4 + 0 <= 300"},
        {"i4 > 19700", "i4 + 0 > 19700"},
        {"i4 >= 19700", "i4 + 0 >= 19700"},
        {"300 > i4", "300 > i4 + 0"},
        {"19700 <= i4", "19700 <= i4 + 0"},
        {"i4 BETWEEN 5000 AND 5100", "i4 + 0 BETWEEN 5000 AND 5100"},
        {"i4 > 100 AND i4 < 50", "i4 + 0 > 100 AND i4 + 0 < 50"},
        {"i2 < 40", "i2 + 0 < 40"},
        {"i8 >= 19990::bigint", "i8 + 0 >= 19990"},
        {"i8 < 200", "i8 + 0 < 200"},           /* int8 column, int4 constant */
        {"i4 > 19998::bigint", "i4 + 0 > 19998"}, /* int4 column, int8 constant */
        {"d < DATE '2000-01-31'", "d + 0 < DATE '2000-01-31'"},
        {"d >= DATE '2054-01-01'", "d + 0 >= DATE '2054-01-01'"},
        {"ts > TIMESTAMP '2000-01-01 05:00:00'", "ts + interval '0' > '2000-01-01 05:00:00'"},
        {"i4 < 300 AND d > DATE '2000-01-10'", "i4 + 0 < 300 AND d + 0 > DATE '2000-01-10'"},
        {"i4 = 20000000", "i4 + 0 = 20000000"},
        {"i4 > 2147483647", "i4 + 0 > 2147483647"},
        {"i4 < NULL", "i4 + 0 < NULL"},
        {"i4 IS NULL", "i4 + 0 IS NULL"},
        {"tx = 'k000777'", "tx || '' = 'k000777'"},
        {"tx < 'k000300'", "tx || '' < 'k000300'"},
        {"tx <= 'k000300'", "tx || '' <= 'k000300'"},
        {"tx > 'k019700'", "tx || '' > 'k019700'"},
        {"tx >= 'k019700'", "tx || '' >= 'k019700'"},
        {"'k000300' > tx", "'k000300' > tx || ''"},
        {"tx BETWEEN 'k005000' AND 'k005100'", "tx || '' BETWEEN 'k005000' AND 'k005100'"},
        {"tx > 'k0050001'", "tx || '' > 'k0050001'"}, /* 8 bytes shared with k005000 + 1 */
        {"tx < 'k0050001'", "tx || '' < 'k0050001'"},
        {"tx < 'a'", "tx || '' < 'a'"},
        {"tx > 'z'", "tx || '' > 'z'"},
        {"tx < NULL", "tx || '' < NULL"},
        {"tx > ''", "tx || '' > ''"},
        {"vc = 'c5'", "vc || '' = 'c5'"},
        {"vc >= 'c19'", "vc || '' >= 'c19'"},
        {"vc < 'c10'", "vc || '' < 'c10'"},
        {"by < '\\x78313030'::bytea", "by || ''::bytea < '\\x78313030'::bytea"},
        {"by >= '\\x7839'::bytea", "by || ''::bytea >= '\\x7839'::bytea"},
        {"u < '00000300-0000-0000-0000-000000000000'::uuid",
         "u::text < '00000300-0000-0000-0000-000000000000'"},
        {"u >= '00004e00-0000-0000-0000-000000000000'::uuid",
         "u::text >= '00004e00-0000-0000-0000-000000000000'"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        zone_same_rows(c, "z", cases[k][0], cases[k][1]);
    }
    expect(c, "PREPARE q(int) AS SELECT count(*) FROM z WHERE i4 < $1", "PREPARE\n");
    static char want[OUT_BYTES];
    snprintf(want, sizeof want, "%s", run(c, "SELECT count(*) FROM z WHERE i4 + 0 < 300"));
    expect(c, "EXECUTE q(300)", want);
    expect(c, "DEALLOCATE q", "DEALLOCATE\n");
}

static void script_before_restart(capture *c) {
    expect(c, "CREATE TABLE z (id int PRIMARY KEY, i2 int2, i4 int, i8 bigint, d date, "
              "ts timestamp, tx text, vc varchar(20), by bytea, u uuid)", "CREATE TABLE\n");
    char sql[800];
    snprintf(sql, sizeof sql,
             "INSERT INTO z SELECT g, (g / 200)::int2, CASE WHEN g %% 97 = 0 THEN NULL ELSE g "
             "END, g, DATE '2000-01-01' + g, TIMESTAMP '2000-01-01' + g * interval '1 second', "
             "CASE WHEN g %% 89 = 0 THEN NULL ELSE 'k' || lpad(g::text, 6, '0') END, "
             "('c' || (g / 1000))::varchar(20), ('x' || g)::bytea, "
             "(lpad(to_hex(g), 8, '0') || '-0000-0000-0000-000000000000')::uuid "
             "FROM generate_series(1, %d) g", ROWS);
    expect(c, sql, "INSERT 0 20000\n");
    check_all_ops(c);
    /* Narrow range: the store skips the row groups whose zones lie outside it. */
    zone_scan z = store_range("z", 3, SQL_T_INT4, 5000, 5100);
    TEST_CHECK(z.total == ROWS);
    TEST_CHECK(z.returned < z.total / 4);
    TEST_CHECK(z.returned >= 101 - 2); /* the rows in range (two are NULL) are among them */
    /* A range on the wrong type is not applied (the zone's order would not be its order). */
    TEST_CHECK(store_range("z", 3, SQL_T_DATE, 5000, 5100).returned == ROWS);
    /* Text by keys: a narrow range of clustered values skips most row groups. */
    z = store_range("z", 7, SQL_T_TEXT, text_key("k005000"), text_key("k005100"));
    TEST_CHECK(z.returned < z.total / 4);
    TEST_CHECK(z.returned >= 101 - 2);
    /* Values moved out of and into a range, deleted rows, vacuum. */
    expect(c, "UPDATE z SET i4 = i4 + 15000 WHERE id BETWEEN 100 AND 199", "UPDATE 100\n");
    expect(c, "UPDATE z SET tx = 'k0' || tx, vc = 'a' WHERE id BETWEEN 300 AND 399",
           "UPDATE 100\n");
    expect(c, "UPDATE z SET tx = 'k000150' WHERE id BETWEEN 19000 AND 19009", "UPDATE 10\n");
    expect(c, "UPDATE z SET i4 = 150 WHERE id BETWEEN 19000 AND 19009", "UPDATE 10\n");
    expect(c, "DELETE FROM z WHERE id BETWEEN 200 AND 250", "DELETE 51\n");
    expect(c, "VACUUM z", "VACUUM\n");
    expect(c, "INSERT INTO z VALUES (20001, 1, 120, 1, DATE '1999-01-01', NULL)",
           "INSERT 0 1\n");
    check_all_ops(c);
    /* A column added with a default: rows stored before read it. */
    expect(c, "ALTER TABLE z ADD COLUMN k int DEFAULT 7", "ALTER TABLE\n");
    zone_same_rows(c, "z", "k = 7", "k + 0 = 7");
    zone_same_rows(c, "z", "k > 7", "k + 0 > 7");
    expect(c, "UPDATE z SET k = 9 WHERE id < 50", "UPDATE 49\n");
    zone_same_rows(c, "z", "k = 7", "k + 0 = 7");
    zone_same_rows(c, "z", "k >= 9", "k + 0 >= 9");
    expect(c, "CHECKPOINT", "CHECKPOINT\n");
}

static void script_after_restart(capture *c) {
    check_all_ops(c);
    zone_same_rows(c, "z", "k = 7", "k + 0 = 7");
    zone_same_rows(c, "z", "k >= 9", "k + 0 >= 9");
    zone_scan z = store_range("z", 3, SQL_T_INT4, 5000, 5100);
    TEST_CHECK(z.returned < z.total / 4);
    z = store_range("z", 7, SQL_T_TEXT, text_key("k005000"), text_key("k005100"));
    TEST_CHECK(z.returned < z.total / 4);
}

static void test_zone_maps(void **state) {
    (void)state;
    char dir[128];
    assert_true(sh_dir_fresh(dir, sizeof dir, "zone"));
    assert_int_equal(sh_run_forked(dir, 2, script_before_restart, NULL), 0);
    assert_int_equal(sh_run_forked(dir, 2, script_after_restart, NULL), 0);
    assert_true(sh_dir_remove(dir));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_zone_maps)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
