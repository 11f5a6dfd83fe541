/* test_eng_zone_prefix.c: text zone maps tell apart values that share their first 8 bytes (one
 * zone key) by the first ENG_ZONE_PREFIX_BYTES_MAX bytes of each chunk's least and greatest
 * value: `col = 'a long shared prefix ...x'` skips the row groups whose values lie elsewhere
 * (text, varchar, char(n) without its trailing spaces, bytea), and every comparison (= < <= >
 * >=, BETWEEN, constants shorter or longer than the kept bytes) gives the rows the same test
 * gives when it cannot be handed to the store, also where values differ only past the kept
 * bytes (a cut greatest value: a bound equal to its kept bytes must not skip it), after
 * UPDATEs that move values and after a restart (zones rebuilt from the checkpoint).
 * How: a real engine in a temporary directory driven by SQL sessions in-process; the store is
 * scanned directly on the partitions' shards (tests/engine/zone_scan.h). */
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
#define SHARED "customer/region-07/orders/"   /* 26 bytes, one zone key for every value */
#define P16 "pppppppppppppppp"
#define LONG P16 P16 P16 P16 /* the kept bytes: values differ only past them */
RT_STATIC_ASSERT(sizeof LONG - 1 == ENG_ZONE_PREFIX_BYTES_MAX);

/* The store's rows for `col = value` on text column `attnum`. */
static zone_scan store_eq(uint16_t attnum, uint32_t type, const char *value) {
    uint32_t len = (uint32_t)strlen(value);
    int64_t key = eng_zone_value_key(type, (const uint8_t *)value, len);
    eng_scan_range r = {.attnum = attnum, .type_oid = type, .lo = key, .hi = key,
                        .lo_bytes = (const uint8_t *)value, .lo_len = len,
                        .hi_bytes = (const uint8_t *)value, .hi_len = len};
    return store_scan("zp", r);
}

static void check_all_ops(capture *c) {
    static const char *const cases[][2] = {
        {"tx = '" SHARED "012345'", "tx || '' = '" SHARED "012345'"},
        {"tx < '" SHARED "000300'", "tx || '' < '" SHARED "000300'"},
        {"tx <= '" SHARED "000300'", "tx || '' <= '" SHARED "000300'"},
        {"tx > '" SHARED "019700'", "tx || '' > '" SHARED "019700'"},
        {"tx >= '" SHARED "019700'", "tx || '' >= '" SHARED "019700'"},
        {"'" SHARED "000300' > tx", "'" SHARED "000300' > tx || ''"},
        {"tx BETWEEN '" SHARED "005000' AND '" SHARED "005100'",
         "tx || '' BETWEEN '" SHARED "005000' AND '" SHARED "005100'"},
        {"tx = '" SHARED "'", "tx || '' = '" SHARED "'"},
        {"tx > '" SHARED "'", "tx || '' > '" SHARED "'"},
        {"tx < '" SHARED "0'", "tx || '' < '" SHARED "0'"},
        {"tx > '" SHARED "0199999999999'", "tx || '' > '" SHARED "0199999999999'"},
        {"tx = '" SHARED "0123450'", "tx || '' = '" SHARED "0123450'"},
        {"tx > 'customer/region-07/orders/z'", "tx || '' > 'customer/region-07/orders/z'"},
        {"tx < 'customer'", "tx || '' < 'customer'"},
        {"lg = '" LONG "012345'", "lg || '' = '" LONG "012345'"},
        {"lg = '" LONG "'", "lg || '' = '" LONG "'"},
        {"lg >= '" LONG "019999'", "lg || '' >= '" LONG "019999'"},
        {"lg > '" LONG "'", "lg || '' > '" LONG "'"},
        {"lg > '" LONG "1'", "lg || '' > '" LONG "1'"},
        {"lg > '" LONG "p'", "lg || '' > '" LONG "p'"},
        {"lg < '" LONG "000010'", "lg || '' < '" LONG "000010'"},
        {"lg <= '" LONG "'", "lg || '' <= '" LONG "'"},
        {"vc = 'v/" SHARED "004321'", "vc || '' = 'v/" SHARED "004321'"},
        {"vc >= 'v/" SHARED "019990'", "vc || '' >= 'v/" SHARED "019990'"},
        {"bc = 'code-000-00007777'", "rtrim(bc::text) = 'code-000-00007777'"},
        {"bc = 'code-000-00007777   '", "rtrim(bc::text) = 'code-000-00007777'"},
        {"bc < 'code-000-00000100'", "rtrim(bc::text) < 'code-000-00000100'"},
        {"bc >= 'code-000-00019900 '", "rtrim(bc::text) >= 'code-000-00019900'"},
        {"by = '\\x" "6c6f6e672d7072656669782d62797465732d" "3030303132'::bytea",
         "by || ''::bytea = '\\x" "6c6f6e672d7072656669782d62797465732d" "3030303132'::bytea"},
        {"by > '\\x" "6c6f6e672d7072656669782d62797465732d" "3139393930'::bytea",
         "by || ''::bytea > '\\x" "6c6f6e672d7072656669782d62797465732d" "3139393930'::bytea"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zone_same_rows(c, "zp", cases[i][0], cases[i][1]);
    }
}

/* Equality on a value sharing 26 bytes with every other: most row groups are skipped; on
 * values differing only past the kept bytes none can be (but none is lost). */
static void check_skips(void) {
    zone_scan z = store_eq(2, SQL_T_TEXT, SHARED "012345");
    TEST_CHECK(z.returned >= 1);
    TEST_CHECK(z.returned < z.total / 4);
    z = store_eq(4, SQL_T_BPCHAR, "code-000-00007777   ");
    TEST_CHECK(z.returned >= 1);
    TEST_CHECK(z.returned < z.total / 4);
    z = store_eq(3, SQL_T_TEXT, LONG "012345"); /* lg: differs past the kept bytes */
    TEST_CHECK(z.returned == z.total);
    /* above every value's kept bytes (all but the last byte of LONG, then 'q') */
    z = store_eq(3, SQL_T_TEXT, P16 P16 P16 "pppppppppppppppq");
    TEST_CHECK(z.returned == 0);
}

static void script_before_restart(capture *c) {
    expect(c, "CREATE TABLE zp (id int PRIMARY KEY, tx text, lg text, bc char(30), "
              "vc varchar(80), by bytea) WITH (partitions = 2)", "CREATE TABLE\n");
    char sql[800];
    snprintf(sql, sizeof sql,
             "INSERT INTO zp SELECT g, CASE WHEN g %% 89 = 0 THEN NULL ELSE '" SHARED
             "' || lpad(g::text, 6, '0') END, '" LONG "' || lpad(g::text, 6, '0'), "
             "'code-000-' || lpad(g::text, 8, '0'), 'v/" SHARED "' || lpad(g::text, 6, '0'), "
             "('long-prefix-bytes-' || lpad(g::text, 5, '0'))::bytea "
             "FROM generate_series(1, %d) g", ROWS);
    expect(c, sql, "INSERT 0 20000\n");
    check_all_ops(c);
    check_skips();
    /* values moved out of and into ranges */
    expect(c, "UPDATE zp SET tx = '" SHARED "012345' WHERE id BETWEEN 300 AND 309",
           "UPDATE 10\n");
    expect(c, "UPDATE zp SET tx = 'a', lg = '" LONG "zz' WHERE id BETWEEN 19000 AND 19009",
           "UPDATE 10\n");
    expect(c, "UPDATE zp SET tx = tx || 'x' WHERE id BETWEEN 5000 AND 5049", "UPDATE 50\n");
    check_all_ops(c);
    zone_same_rows(c, "zp", "lg = '" LONG "zz'", "lg || '' = '" LONG "zz'");
    zone_same_rows(c, "zp", "tx = '" SHARED "005001x'", "tx || '' = '" SHARED "005001x'");
    expect(c, "CHECKPOINT", "CHECKPOINT\n");
}

static void script_after_restart(capture *c) {
    check_all_ops(c);
    zone_same_rows(c, "zp", "lg = '" LONG "zz'", "lg || '' = '" LONG "zz'");
    zone_scan z = store_eq(4, SQL_T_BPCHAR, "code-000-00007777");
    TEST_CHECK(z.returned >= 1);
    TEST_CHECK(z.returned < z.total / 4);
}

static void test_zone_prefix(void **state) {
    (void)state;
    char dir[128];
    assert_true(sh_dir_fresh(dir, sizeof dir, "zonep"));
    assert_int_equal(sh_run_forked(dir, 2, script_before_restart, NULL), 0);
    assert_int_equal(sh_run_forked(dir, 2, script_after_restart, NULL), 0);
    assert_true(sh_dir_remove(dir));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_zone_prefix)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
