/* test_sql_domain.c: domains through a real session: CREATE DOMAIN (a domain over a domain,
 * DEFAULT, NOT NULL, CHECK over VALUE), casts checked against every constraint of the chain
 * (errors name the domain the value is made for), columns declared with domains checked on
 * INSERT, INSERT ... SELECT and UPDATE with the domain's DEFAULT where the column has none,
 * values used as their base type (arithmetic, aggregates, an index scan), ALTER DOMAIN ADD
 * CONSTRAINT validated over the rows (23514) and SET NOT NULL (23502); then the engine
 * restarts (a checkpoint holding part of the work, the WAL the rest) and the domains, their
 * constraints and the rows must all be there and still enforced.
 * How: a real engine in a temporary data directory with two shards; a fiber on shard 0 opens a
 * session as the superuser and compares what a client would see (rows "a|b", command tags,
 * "ERROR <sqlstate>: <message>"), as PostgreSQL 15 answers the same statements. */
// ctest: TIMEOUT 300
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define OUT_BYTES 16384

#include "tests/sql/sql_session_harness.h"

#define CHECK_ERR(domain, con)                                                              \
    "ERROR 23514: value for domain " domain " violates check constraint \"" con "\"\n"

static void script_before_restart(capture *c) {
    expect(c, "CREATE DOMAIN d_pos AS int CHECK (VALUE > 0)", "CREATE DOMAIN\n");
    expect(c, "CREATE DOMAIN d_code AS varchar(5) NOT NULL DEFAULT 'x'", "CREATE DOMAIN\n");
    expect(c, "CREATE DOMAIN d_small AS d_pos CONSTRAINT d_small_lim CHECK (VALUE < 10)",
           "CREATE DOMAIN\n");
    expect(c, "SELECT 5::d_small AS v", "v\n5\nSELECT 1\n");
    expect(c, "SELECT 0::d_small", CHECK_ERR("d_small", "d_pos_check"));
    expect(c, "SELECT 10::d_small", CHECK_ERR("d_small", "d_small_lim"));
    expect(c, "SELECT NULL::d_code", "ERROR 23502: domain d_code does not allow null values\n");
    expect(c, "CREATE TABLE dt (id int PRIMARY KEY, a d_pos, c d_code, s d_small)",
           "CREATE TABLE\n");
    expect(c, "CREATE INDEX dt_a ON dt (a)", "CREATE INDEX\n");
    expect(c, "INSERT INTO dt (id, a, s) VALUES (1, 8, 1), (2, 9, 2)", "INSERT 0 2\n");
    expect(c, "INSERT INTO dt (id, a) VALUES (3, -1)", CHECK_ERR("d_pos", "d_pos_check"));
    expect(c, "INSERT INTO dt (id, c) VALUES (3, NULL)",
           "ERROR 23502: domain d_code does not allow null values\n");
    expect(c, "INSERT INTO dt (id, s) SELECT g, g * 4 FROM generate_series(3, 4) g",
           CHECK_ERR("d_small", "d_small_lim"));
    expect(c, "UPDATE dt SET s = s + 8", CHECK_ERR("d_small", "d_small_lim"));
    expect(c, "UPDATE dt SET a = a + 1, c = 'yy' WHERE id = 2", "UPDATE 1\n");
    expect(c, "SELECT count(*), sum(a), max(a * s) FROM dt", "count|sum|max\n2|18|20\nSELECT 1\n");
    expect(c, "ALTER DOMAIN d_pos ADD CONSTRAINT d_pos_big CHECK (VALUE > 8)",
           "ERROR 23514: column \"a\" of table \"dt\" contains values that violate the new "
           "constraint\n");
    expect(c, "ALTER DOMAIN d_pos ADD CONSTRAINT d_pos_not7 CHECK (VALUE <> 7)",
           "ALTER DOMAIN\n");
    expect(c, "CHECKPOINT", "CHECKPOINT\n");
    /* After the checkpoint: in the WAL only. */
    expect(c, "CREATE DOMAIN d_later AS text CHECK (VALUE <> 'no')", "CREATE DOMAIN\n");
    expect(c, "INSERT INTO dt (id, a, s) VALUES (3, 30, 9)", "INSERT 0 1\n");
    expect(c, "ALTER DOMAIN d_code DROP NOT NULL", "ALTER DOMAIN\n");
    expect(c, "INSERT INTO dt (id, a, c) VALUES (4, 40, NULL)", "INSERT 0 1\n");
    expect(c, "ALTER DOMAIN d_code SET NOT NULL",
           "ERROR 23502: column \"c\" of table \"dt\" contains null values\n");
}

static void script_after_restart(capture *c) {
    expect(c, "SELECT id, a, c, s FROM dt ORDER BY id",
           "id|a|c|s\n1|8|x|1\n2|10|yy|2\n3|30|x|9\n4|40|NULL|NULL\nSELECT 4\n");
    expect(c, "SELECT id FROM dt WHERE a = 30", "id\n3\nSELECT 1\n");
    expect(c, "INSERT INTO dt (id, a) VALUES (5, 7)", CHECK_ERR("d_pos", "d_pos_not7"));
    expect(c, "INSERT INTO dt (id, a) VALUES (5, 9)", "INSERT 0 1\n");
    expect(c, "SELECT c FROM dt WHERE id = 5", "c\nx\nSELECT 1\n");
    expect(c, "SELECT 'no'::d_later", CHECK_ERR("d_later", "d_later_check"));
    expect(c, "SELECT typname, typtype, typbasetype::regtype, typnotnull FROM pg_type "
              "WHERE typname LIKE 'd\\_%' ORDER BY 1",
           "typname|typtype|typbasetype|typnotnull\n"
           "d_code|d|character varying|f\n"
           "d_later|d|text|f\n"
           "d_pos|d|integer|f\n"
           "d_small|d|d_pos|f\n"
           "SELECT 4\n");
    expect(c, "SELECT conname FROM pg_constraint WHERE contypid = 'd_pos'::regtype ORDER BY 1",
           "conname\nd_pos_check\nd_pos_not7\nSELECT 2\n");
    expect(c, "DROP DOMAIN d_pos",
           "ERROR 2BP01: cannot drop type d_pos because other objects depend on it\n");
    expect(c, "DROP TABLE dt", "DROP TABLE\n");
    expect(c, "DROP DOMAIN d_small, d_pos, d_code, d_later", "DROP DOMAIN\n");
}

static int phase; /* 0: the first script; 1: after the restart */

static void session_fiber(void *arg) {
    (void)arg;
    static capture c;
    c.s = NULL;
    if (sh_open(&c)) {
        if (phase == 0) script_before_restart(&c);
        else script_after_restart(&c);
    }
    if (c.s != NULL) sql_session_close(c.s);
    rt_runtime_stop();
}

static void test_domain_scripts(void **state) {
    (void)state;
    char dir[128];
    assert_true(sh_dir_fresh(dir, sizeof dir, "domain"));
    for (phase = 0; phase < 2; phase++) assert_int_equal(sh_run_fiber(dir, 2, session_fiber), 0);
    assert_true(sh_dir_remove(dir));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_domain_scripts)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
