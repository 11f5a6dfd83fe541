/* test_sql_ddllock.c: the table locks DDL takes, between concurrent sessions, against
 * PostgreSQL 15's behaviour: ALTER TABLE, DROP TABLE, TRUNCATE and DROP INDEX wait for a reader's
 * open transaction (ACCESS EXCLUSIVE; lock_timeout gives 55P03), CREATE INDEX waits for a writer
 * but not for a reader (SHARE) and holds off writers to its transaction's end, VACUUM and
 * ANALYZE (SHARE UPDATE EXCLUSIVE) wait for CREATE INDEX and hold off ALTER TABLE; ALTER
 * TABLE's SET (options), SET STATISTICS, VALIDATE and ADD FOREIGN KEY go on beside a reader,
 * ADD / DROP of a foreign key (and CREATE TABLE with one) wait for a writer of the referenced
 * table, DROP TABLE of a table with one for a reader of it too; DDL in a
 * transaction block holds off readers until COMMIT, after which a waiting reader sees the new
 * shape of the table (42P01 if it was dropped, no rows if it was truncated, also through
 * EXECUTE of a prepared statement); a blocked ALTER goes on once the reader
 * ends; a DDL statement that finds the catalog's one-DDL-transaction lock taken gives up its
 * new table locks while it waits for it, so a DDL transaction reading such a table goes on,
 * and a cycle that remains through that lock is a deadlock (40P01) for one member instead of
 * a hang (PostgreSQL has no such lock: there neither exists).
 * TRUNCATE ... CASCADE and DROP TABLE ... CASCADE lock every table they reach through foreign
 * keys ACCESS EXCLUSIVE (a reader of one waits for the transaction, then sees it emptied or
 * without the key); CREATE INDEX CONCURRENTLY takes SHARE UPDATE EXCLUSIVE: it waits for
 * another holder of that mode, inserts, updates and deletes go on beside it, and the index it
 * builds finds their rows.
 * How: a real engine with two shards in a temporary directory; sessions (sql_session.h) run in
 * fibers on shard 0, each statement's output compared with what PostgreSQL 15 printed for the
 * same sessions. A session that must block runs in a fiber of its own; the main fiber checks it
 * has not finished before the holder ends its transaction (a slow machine only makes that more
 * certain). */
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

#define TIMEOUT_ERR "ERROR 55P03: canceling statement due to lock timeout\n"


/* A reader's open transaction holds off ACCESS EXCLUSIVE DDL, not CREATE INDEX or VACUUM. */
static void script_reader_blocks_ddl(capture *a, capture *b, capture *c) {
    static sh_bg bg;
    expect(a, "CREATE TABLE t (id int PRIMARY KEY, v int)", "CREATE TABLE\n");
    expect(a, "INSERT INTO t VALUES (1, 1)", "INSERT 0 1\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT * FROM t", "id|v\n1|1\nSELECT 1\n");
    expect(b, "ALTER TABLE t ADD COLUMN c int", TIMEOUT_ERR);
    expect(b, "TRUNCATE t", TIMEOUT_ERR);
    expect(b, "DROP TABLE t", TIMEOUT_ERR);
    expect(b, "CREATE INDEX t_v_idx ON t (v)", "CREATE INDEX\n");
    expect(b, "DROP INDEX t_v_idx", TIMEOUT_ERR);
    expect(b, "VACUUM t", "VACUUM\n");
    expect(b, "ANALYZE t", "ANALYZE\n");
    sh_bg_start(&bg, c, "ALTER TABLE t ADD COLUMN c int");
    expect(a, "SELECT count(*) FROM t", "count\n1\nSELECT 1\n");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg);
    sh_check("ALTER after the reader", bg.out, "ALTER TABLE\n");
    expect(a, "SELECT * FROM t", "id|v|c\n1|1|NULL\nSELECT 1\n");
}

/* DDL in a block holds off readers to COMMIT; the reader then sees the new table. */
static void script_ddl_blocks_reader(capture *a, capture *b, capture *c) {
    static sh_bg bg;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "ALTER TABLE t ADD COLUMN d int", "ALTER TABLE\n");
    expect(b, "SELECT * FROM t", TIMEOUT_ERR);
    expect(b, "INSERT INTO t VALUES (2, 2)", TIMEOUT_ERR);
    sh_bg_start(&bg, c, "SELECT * FROM t");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg);
    sh_check("a reader after ALTER", bg.out, "id|v|c|d\n1|1|NULL|NULL\nSELECT 1\n");
    expect(a, "CREATE TABLE t2 (id int)", "CREATE TABLE\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "DROP TABLE t2", "DROP TABLE\n");
    sh_bg_start(&bg, c, "SELECT * FROM t2");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg);
    sh_check("a reader after DROP", bg.out,
               "ERROR 42P01: relation \"t2\" does not exist\n");
    /* A reader that waited for TRUNCATE reads the new, empty storage, also through EXECUTE. */
    expect(a, "CREATE TABLE tt (id int)", "CREATE TABLE\n");
    expect(a, "INSERT INTO tt VALUES (1), (2), (3)", "INSERT 0 3\n");
    expect(c, "PREPARE pc AS SELECT count(*) FROM tt", "PREPARE\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "TRUNCATE tt", "TRUNCATE TABLE\n");
    sh_bg_start(&bg, c, "EXECUTE pc");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg);
    sh_check("EXECUTE after TRUNCATE", bg.out, "count\n0\nSELECT 1\n");
    expect(a, "INSERT INTO tt VALUES (4), (5)", "INSERT 0 2\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "TRUNCATE tt", "TRUNCATE TABLE\n");
    sh_bg_start(&bg, c, "SELECT count(*) FROM tt");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg);
    sh_check("SELECT after TRUNCATE", bg.out, "count\n0\nSELECT 1\n");
}

/* CREATE INDEX (SHARE) against writers, VACUUM and ANALYZE (SHARE UPDATE EXCLUSIVE). */
static void script_share_modes(capture *a, capture *b) {
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "INSERT INTO t VALUES (2, 2)", "INSERT 0 1\n");
    expect(b, "CREATE INDEX ON t (v)", TIMEOUT_ERR);
    expect(b, "ANALYZE t", "ANALYZE\n");
    expect(a, "ROLLBACK", "ROLLBACK\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "CREATE INDEX ON t (id)", "CREATE INDEX\n");
    expect(b, "INSERT INTO t VALUES (3, 3)", TIMEOUT_ERR);
    expect(b, "SELECT id FROM t", "id\n1\nSELECT 1\n");
    expect(b, "VACUUM t", TIMEOUT_ERR);
    expect(a, "COMMIT", "COMMIT\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "ANALYZE t", "ANALYZE\n");
    expect(b, "ALTER TABLE t ADD COLUMN e int", TIMEOUT_ERR);
    expect(b, "SELECT id FROM t", "id\n1\nSELECT 1\n");
    expect(b, "ANALYZE t", TIMEOUT_ERR);
    expect(b, "CREATE INDEX ON t (v)", TIMEOUT_ERR);
    expect(a, "COMMIT", "COMMIT\n");
}

/* ALTER TABLE's weaker commands: SET (options), SET STATISTICS and VALIDATE go on beside a
 * reader, ADD FOREIGN KEY too but not beside a writer of the referenced table, and dropping a
 * foreign key waits for that writer as well. */
static void script_alter_modes(capture *a, capture *b) {
    expect(a, "CREATE TABLE tr (id int PRIMARY KEY)", "CREATE TABLE\n");
    expect(a, "INSERT INTO tr VALUES (1)", "INSERT 0 1\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT id FROM t", "id\n1\nSELECT 1\n");
    expect(b, "ALTER TABLE t SET (fillfactor = 70)", "ALTER TABLE\n");
    expect(b, "ALTER TABLE t ADD CONSTRAINT t_v_fk FOREIGN KEY (v) REFERENCES tr",
           "ALTER TABLE\n");
    expect(b, "ALTER TABLE t VALIDATE CONSTRAINT t_v_fk", "ALTER TABLE\n");
    expect(b, "ALTER TABLE t ALTER v SET STATISTICS 100", "ALTER TABLE\n");
    expect(b, "ALTER TABLE t ALTER v SET DEFAULT 1", TIMEOUT_ERR);
    expect(a, "COMMIT", "COMMIT\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "INSERT INTO tr VALUES (2)", "INSERT 0 1\n");
    expect(b, "ALTER TABLE t DROP CONSTRAINT t_v_fk", TIMEOUT_ERR);
    expect(b, "ALTER TABLE t ADD CONSTRAINT t_v_fk2 FOREIGN KEY (v) REFERENCES tr", TIMEOUT_ERR);
    expect(b, "ALTER TABLE t SET (fillfactor = 80)", "ALTER TABLE\n");
    expect(b, "CREATE TABLE tc (id int REFERENCES tr)", TIMEOUT_ERR);
    expect(a, "COMMIT", "COMMIT\n");
    expect(b, "ALTER TABLE t DROP CONSTRAINT t_v_fk", "ALTER TABLE\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "SELECT id FROM tr ORDER BY id", "id\n1\n2\nSELECT 2\n");
    expect(b, "CREATE TABLE tc (id int REFERENCES tr)", "CREATE TABLE\n");
    expect(b, "DROP TABLE tc", TIMEOUT_ERR);
    expect(a, "COMMIT", "COMMIT\n");
    expect(b, "DROP TABLE tc", "DROP TABLE\n");
}

/* A holds the catalog's DDL lock (CREATE TABLE in its block); B's ALTER TABLE locks t, finds
 * the catalog taken, gives t up and waits for the catalog; A's SELECT of t goes on (no
 * deadlock), and B's ALTER once A ends. PostgreSQL has no catalog-wide lock: there B's ALTER
 * would not wait and A's SELECT would wait for B instead. A real cycle (B had locked t in an
 * earlier statement) is still one: 40P01 for one of them. */
static void script_catalog_cycle(capture *a, capture *b) {
    static sh_bg bg;
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "CREATE TABLE t3 (id int)", "CREATE TABLE\n");
    expect(b, "BEGIN", "BEGIN\n");
    sh_bg_start(&bg, b, "ALTER TABLE t ADD COLUMN f int");
    expect(a, "SELECT count(*) FROM t", "count\n1\nSELECT 1\n");
    expect(a, "ROLLBACK", "ROLLBACK\n");
    sh_bg_wait(&bg);
    sh_check("B's ALTER after A ended", bg.out, "ALTER TABLE\n");
    expect(b, "ROLLBACK", "ROLLBACK\n");
    /* B holds t from an earlier statement: now the cycle is real. */
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "CREATE TABLE t3 (id int)", "CREATE TABLE\n");
    expect(b, "BEGIN", "BEGIN\n");
    expect(b, "LOCK TABLE t", "LOCK TABLE\n");
    sh_bg_start(&bg, b, "ALTER TABLE t ADD COLUMN f int");
    char got[OUT_BYTES];
    snprintf(got, sizeof got, "%s", run(a, "SELECT count(*) FROM t"));
    const char *dead = "ERROR 40P01: deadlock detected\n";
    if (strcmp(got, dead) == 0) expect(a, "ROLLBACK", "ROLLBACK\n");
    sh_bg_wait(&bg);
    int deadlocks = (strcmp(got, dead) == 0) + (strcmp(bg.out, dead) == 0);
    TEST_CHECK(deadlocks == 1);
    if (strcmp(got, dead) != 0) sh_check("the survivor A", got, "count\n1\nSELECT 1\n");
    if (strcmp(bg.out, dead) != 0) sh_check("the survivor B", bg.out, "ALTER TABLE\n");
    expect(b, "ROLLBACK", "ROLLBACK\n");
    if (strcmp(got, dead) != 0) expect(a, "ROLLBACK", "ROLLBACK\n");
}

#define CASCADE_NOTICES(what) "NOTICE 00000: " what " cascades to table \"cc\"\n" \
                             "NOTICE 00000: " what " cascades to table \"cg\"\n"

/* What a CASCADE reaches is locked as what it names. */
static void script_cascade(capture *a, capture *b, capture *c) {
    static sh_bg bg;
    expect(a, "CREATE TABLE cp (id int PRIMARY KEY)", "CREATE TABLE\n");
    expect(a, "CREATE TABLE cc (id int PRIMARY KEY, p int REFERENCES cp)", "CREATE TABLE\n");
    expect(a, "CREATE TABLE cg (id int PRIMARY KEY, c int REFERENCES cc)", "CREATE TABLE\n");
    expect(a, "INSERT INTO cp VALUES (1), (2)", "INSERT 0 2\n");
    expect(a, "INSERT INTO cc VALUES (1, 1), (2, 2)", "INSERT 0 2\n");
    expect(a, "INSERT INTO cg VALUES (1, 1), (2, 2), (3, 2)", "INSERT 0 3\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "TRUNCATE cp CASCADE", CASCADE_NOTICES("truncate") "TRUNCATE TABLE\n");
    expect(b, "INSERT INTO cc VALUES (3, NULL)", TIMEOUT_ERR);
    sh_bg_start(&bg, c, "SELECT count(*) FROM cg");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg);
    sh_check("a reader of a table TRUNCATE CASCADE reached", bg.out, "count\n0\nSELECT 1\n");
    expect(a, "INSERT INTO cp VALUES (1)", "INSERT 0 1\n");
    expect(a, "INSERT INTO cc VALUES (1, 1)", "INSERT 0 1\n");
    /* DROP TABLE cp CASCADE drops cc's key: cc is locked, cg (no key on cp) is not. */
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "DROP TABLE cp CASCADE",
           "NOTICE 00000: drop cascades to constraint cc_p_fkey on table cc\nDROP TABLE\n");
    expect(b, "SELECT count(*) FROM cg", "count\n0\nSELECT 1\n");
    expect(b, "SELECT count(*) FROM cc", TIMEOUT_ERR);
    sh_bg_start(&bg, c, "INSERT INTO cc VALUES (2, 5)");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg);
    sh_check("a writer of a table DROP CASCADE reached", bg.out, "INSERT 0 1\n");
    expect(a, "DROP TABLE cc CASCADE",
           "NOTICE 00000: drop cascades to constraint cg_c_fkey on table cg\nDROP TABLE\n");
    expect(a, "DROP TABLE cg", "DROP TABLE\n");
}

/* CREATE INDEX CONCURRENTLY waits for a SHARE UPDATE EXCLUSIVE holder, and while it runs
 * beside a writer's open transaction (PostgreSQL's waits for that transaction to end; ours
 * needs not, its build sees the rows), other writers go on; the index finds every row. */
static void script_concurrently(capture *a, capture *b, capture *c) {
    static sh_bg bg;
    expect(a, "CREATE TABLE ci (id int PRIMARY KEY, v int)", "CREATE TABLE\n");
    expect(a, "INSERT INTO ci SELECT g, g % 10 FROM generate_series(1, 100) g",
           "INSERT 0 100\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "LOCK TABLE ci IN SHARE UPDATE EXCLUSIVE MODE", "LOCK TABLE\n");
    sh_bg_start(&bg, c, "CREATE INDEX CONCURRENTLY ci_v ON ci (v)");
    expect(b, "INSERT INTO ci VALUES (101, 77)", "INSERT 0 1\n");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg);
    sh_check("CREATE INDEX CONCURRENTLY after the holder", bg.out, "CREATE INDEX\n");
    expect(a, "BEGIN", "BEGIN\n");
    expect(a, "INSERT INTO ci VALUES (102, 77)", "INSERT 0 1\n");
    /* Not sh_bg_start: whether it blocks on a's transaction is where the two servers differ. */
    sh_bg_launch(&bg, c, "CREATE INDEX CONCURRENTLY ci_w ON ci (v, id)");
    expect(b, "INSERT INTO ci VALUES (103, 77)", "INSERT 0 1\n");
    expect(b, "UPDATE ci SET v = 77 WHERE id = 5", "UPDATE 1\n");
    expect(b, "DELETE FROM ci WHERE id = 7", "DELETE 1\n");
    expect(a, "UPDATE ci SET v = 77 WHERE id = 15", "UPDATE 1\n");
    expect(a, "COMMIT", "COMMIT\n");
    sh_bg_wait(&bg);
    sh_check("CREATE INDEX CONCURRENTLY beside writers", bg.out, "CREATE INDEX\n");
    expect(a, "SET enable_seqscan = off", "SET\n");
    expect(a, "SELECT id FROM ci WHERE v = 77 ORDER BY id",
           "id\n5\n15\n101\n102\n103\nSELECT 5\n");
    expect(a, "SELECT count(*) FROM ci WHERE v = 7", "count\n9\nSELECT 1\n");
    expect(a, "RESET enable_seqscan", "RESET\n");
    expect(a, "DROP TABLE ci", "DROP TABLE\n");
}

static void sessions(capture *s[SH_SESSIONS]) {
    expect(s[1], "SET lock_timeout = '50ms'", "SET\n");
    script_reader_blocks_ddl(s[0], s[1], s[2]);
    script_ddl_blocks_reader(s[0], s[1], s[2]);
    script_share_modes(s[0], s[1]);
    script_alter_modes(s[0], s[1]);
    script_cascade(s[0], s[1], s[2]);
    script_concurrently(s[0], s[1], s[2]);
    expect(s[1], "RESET lock_timeout", "RESET\n");
    script_catalog_cycle(s[0], s[1]);
}

static void test_ddllock(void **state) {
    (void)state;
    assert_int_equal(sh_run_sessions("ddllock", 2, sessions), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_ddllock)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
