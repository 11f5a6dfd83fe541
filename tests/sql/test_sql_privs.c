/* test_sql_privs.c: PostgreSQL 15's privilege model through real sessions logged in as
 * different roles: GRANT / REVOKE on tables, sequences, schemas and databases (with the grant
 * option and its grantor, dependent grants needing CASCADE), role membership with INHERIT and
 * ADMIN OPTION, column privileges (pg_attribute.attacl), the checks every statement makes
 * (42501 with PostgreSQL's messages: "permission denied for table t", "must be owner of
 * table t", "permission denied for schema public", "permission denied for sequence s"), SET
 * ROLE / SET SESSION AUTHORIZATION (undone by ROLLBACK and ROLLBACK TO SAVEPOINT; SHOW role),
 * the catalog's view of it (relacl, nspacl, datacl, attacl, pg_auth_members,
 * has_*_privilege, pg_has_role, information_schema), the predefined roles (pg_read_all_data,
 * pg_write_all_data, pg_database_owner, ...), SET LOCAL outside a transaction block, and that
 * owners, access lists and memberships survive a restart.
 * How: a real engine in a temporary directory, sessions opened in-process
 * (sql_session_harness.h) as postgres, alice, bob and carol; each statement's output is
 * compared with what PostgreSQL 15 printed for the same statements (rows "a|b", the command
 * tag, or "ERROR <sqlstate>: <message>"). The engine is stopped and started again on the same
 * directory between the two phases. */
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

#define DENIED(what) "ERROR 42501: permission denied for " what "\n"


static capture alice, bob, carol;

static void setup_objects(capture *su) {
    expect(su, "CREATE ROLE alice LOGIN", "CREATE ROLE\n");
    expect(su, "CREATE ROLE bob LOGIN", "CREATE ROLE\n");
    expect(su, "CREATE ROLE carol LOGIN NOINHERIT", "CREATE ROLE\n");
    expect(su, "CREATE ROLE staff", "CREATE ROLE\n");
    expect(su, "CREATE TABLE t (a int)", "CREATE TABLE\n");
    expect(su, "INSERT INTO t VALUES (1)", "INSERT 0 1\n");
    expect(su, "CREATE SEQUENCE s", "CREATE SEQUENCE\n");
    TEST_CHECK(sh_open_as(&alice, "alice", 43) && sh_open_as(&bob, "bob", 43) &&
               sh_open_as(&carol, "carol", 43));
}

/* Table privileges: none by default, GRANT gives exactly what it names, REVOKE takes it. */
static void check_tables(capture *su) {
    expect(&alice, "SELECT * FROM t", DENIED("table t"));
    expect(&alice, "INSERT INTO t VALUES (2)", DENIED("table t"));
    expect(&alice, "UPDATE t SET a = 2", DENIED("table t"));
    expect(&alice, "DELETE FROM t", DENIED("table t"));
    expect(&alice, "TRUNCATE t", DENIED("table t"));
    expect(&alice, "COPY t TO STDOUT", DENIED("table t"));
    expect(su, "GRANT SELECT ON t TO alice", "GRANT\n");
    expect(&alice, "SELECT * FROM t", "a\n1\nSELECT 1\n");
    expect(&alice, "INSERT INTO t VALUES (2)", DENIED("table t"));
    expect(su, "GRANT INSERT ON TABLE t TO bob WITH GRANT OPTION", "GRANT\n");
    expect(&bob, "INSERT INTO t VALUES (2)", "INSERT 0 1\n");
    /* INSERT ... RETURNING reads too. */
    expect(&bob, "INSERT INTO t VALUES (3) RETURNING a", DENIED("table t"));
    expect(&bob, "GRANT INSERT ON t TO alice", "GRANT\n");
    expect(&bob, "GRANT SELECT ON t TO alice",
           "WARNING 01007: no privileges were granted for \"t\"\nGRANT\n");
    expect(&alice, "INSERT INTO t VALUES (3)", "INSERT 0 1\n");
    /* bob's grant depends on his grant option: REVOKE needs CASCADE to take both. */
    expect(su, "REVOKE GRANT OPTION FOR INSERT ON t FROM bob",
           "ERROR 2BP01: dependent privileges exist\n");
    expect(su, "SELECT relacl FROM pg_class WHERE relname = 't'",
           "relacl\n{postgres=arwdDxt/postgres,alice=r/postgres,bob=a*/postgres,alice=a/bob}\n"
           "SELECT 1\n");
    expect(su, "REVOKE INSERT ON t FROM alice", "REVOKE\n"); /* postgres granted none */
    expect(&alice, "INSERT INTO t VALUES (4)", "INSERT 0 1\n");
    expect(&bob, "REVOKE INSERT ON t FROM alice", "REVOKE\n");
    expect(&alice, "INSERT INTO t VALUES (5)", DENIED("table t"));
    expect(su, "GRANT UPDATE, DELETE ON t TO alice", "GRANT\n");
    expect(&alice, "UPDATE t SET a = a + 10 WHERE a = 4", "UPDATE 1\n");
    expect(&alice, "DELETE FROM t WHERE a = 14", "DELETE 1\n");
    expect(su, "REVOKE ALL ON t FROM alice", "REVOKE\n");
    expect(&alice, "SELECT * FROM t", DENIED("table t"));
    expect(su, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO PUBLIC", "GRANT\n");
    expect(&carol, "SELECT count(*) FROM t", "count\n3\nSELECT 1\n");
    expect(su, "REVOKE SELECT ON t FROM PUBLIC", "REVOKE\n");
    expect(&carol, "SELECT count(*) FROM t", DENIED("table t"));
    expect(su, "GRANT USAGE ON t TO alice",
           "ERROR 0LP01: invalid privilege type USAGE for table\n");
    expect(su, "GRANT EXECUTE ON FUNCTION now() TO alice",
           "ERROR 0A000: GRANT ON FUNCTION is not supported\n");
}

/* Column privileges: a role without the table privilege reads and updates exactly the
 * columns granted to it; a grant option on a column lets it grant that column on. */
static void check_columns(capture *su) {
    expect(su, "CREATE TABLE tc (a int, b int)", "CREATE TABLE\n");
    expect(su, "INSERT INTO tc VALUES (1, 0)", "INSERT 0 1\n");
    expect(su, "GRANT SELECT (a), UPDATE (b) ON tc TO bob", "GRANT\n");
    expect(&bob, "SELECT a FROM tc", "a\n1\nSELECT 1\n");
    expect(&bob, "SELECT * FROM tc", DENIED("table tc"));
    expect(&bob, "SELECT a FROM tc WHERE b = 0", DENIED("table tc"));
    expect(&bob, "UPDATE tc SET b = a + 1", "UPDATE 1\n");
    expect(&bob, "UPDATE tc SET a = 2", DENIED("table tc"));
    expect(&bob, "INSERT INTO tc (a) VALUES (2)", DENIED("table tc"));
    expect(&bob, "GRANT SELECT (a) ON tc TO alice",
           "WARNING 01007: no privileges were granted for column \"a\" of relation \"tc\"\n"
           "GRANT\n");
    expect(su, "GRANT SELECT (b) ON tc TO bob WITH GRANT OPTION", "GRANT\n");
    expect(&bob, "GRANT SELECT (b) ON tc TO alice", "GRANT\n");
    expect(&alice, "SELECT b FROM tc", "b\n2\nSELECT 1\n");
    expect(su, "SELECT attname, attacl FROM pg_attribute WHERE attrelid = 'tc'::regclass "
               "AND attnum > 0 ORDER BY 1",
           "attname|attacl\na|{bob=r/postgres}\nb|{bob=r*w/postgres,alice=r/bob}\nSELECT 2\n");
    expect(su, "SELECT has_column_privilege('bob', 'tc', 'b', 'SELECT WITH GRANT OPTION'), "
               "has_column_privilege('alice', 'tc', 'a', 'SELECT'), "
               "has_any_column_privilege('alice', 'tc', 'SELECT')",
           "has_column_privilege|has_column_privilege|has_any_column_privilege\nt|f|t\n"
           "SELECT 1\n");
}

/* Membership: privileges of a role flow to members that INHERIT; SET ROLE needs membership. */
static void check_roles(capture *su) {
    expect(su, "GRANT SELECT ON t TO staff", "GRANT\n");
    expect(su, "GRANT staff TO alice, carol", "GRANT ROLE\n");
    expect(&alice, "SELECT count(*) FROM t", "count\n3\nSELECT 1\n");
    expect(&carol, "SELECT count(*) FROM t", DENIED("table t")); /* NOINHERIT */
    expect(&carol, "SET ROLE staff", "SET\n");
    expect(&carol, "SELECT current_user, session_user", "current_user|session_user\n"
                                                         "staff|carol\nSELECT 1\n");
    expect(&carol, "SELECT count(*) FROM t", "count\n3\nSELECT 1\n");
    expect(&carol, "RESET ROLE", "RESET\n");
    expect(&carol, "SELECT current_user", "current_user\ncarol\nSELECT 1\n");
    /* SET ROLE is undone by ROLLBACK, as a setting is. */
    expect(&carol, "BEGIN", "BEGIN\n");
    expect(&carol, "SET ROLE staff", "SET\n");
    expect(&carol, "ROLLBACK", "ROLLBACK\n");
    expect(&carol, "SELECT current_user", "current_user\ncarol\nSELECT 1\n");
    expect(&bob, "SET ROLE staff", "ERROR 42501: permission denied to set role \"staff\"\n");
    expect(&bob, "SET SESSION AUTHORIZATION alice",
           "ERROR 42501: permission denied to set session authorization \"alice\"\n");
    expect(&bob, "GRANT staff TO bob", "ERROR 42501: must have admin option on role \"staff\"\n");
    expect(su, "GRANT staff TO alice WITH ADMIN OPTION", "GRANT ROLE\n");
    expect(&alice, "GRANT staff TO bob", "GRANT ROLE\n");
    expect(&bob, "SELECT count(*) FROM t", "count\n3\nSELECT 1\n");
    expect(su, "GRANT alice TO staff",
           "ERROR 0LP01: role \"alice\" is a member of role \"staff\"\n");
    expect(su, "SELECT pg_has_role('bob', 'staff', 'member'), pg_has_role('carol', 'staff', "
               "'usage'), pg_has_role('alice', 'staff', 'usage with admin option')",
           "pg_has_role|pg_has_role|pg_has_role\nt|f|t\nSELECT 1\n");
    expect(su, "SELECT r.rolname, m.rolname, a.admin_option FROM pg_auth_members a JOIN "
               "pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
               "ORDER BY 2, 1",
           "rolname|rolname|admin_option\nstaff|alice|t\nstaff|bob|f\nstaff|carol|f\n"
           "pg_read_all_settings|pg_monitor|f\npg_read_all_stats|pg_monitor|f\n"
           "pg_stat_scan_tables|pg_monitor|f\nSELECT 6\n");
    expect(su, "REVOKE staff FROM bob", "REVOKE ROLE\n");
    expect(&bob, "SELECT count(*) FROM t", DENIED("table t"));
    /* A superuser may become anyone; current_user follows. */
    expect(su, "SET SESSION AUTHORIZATION bob", "SET\n");
    expect(su, "SELECT current_user, session_user", "current_user|session_user\nbob|bob\n"
                                                     "SELECT 1\n");
    expect(su, "SELECT count(*) FROM t", DENIED("table t"));
    expect(su, "RESET SESSION AUTHORIZATION", "RESET\n");
    expect(su, "SELECT current_user", "current_user\npostgres\nSELECT 1\n");
}

/* SET ROLE and SET SESSION AUTHORIZATION after a savepoint are undone by ROLLBACK TO it (also
 * after a statement failed there), SET LOCAL ROLE at commit; SHOW role gives the role SET ROLE
 * chose, 'none' otherwise, and SET SESSION AUTHORIZATION ends a SET ROLE. */
static void check_role_savepoints(capture *su) {
    expect(&carol, "SHOW role", "role\nnone\nSHOW\n");
    expect(&carol, "BEGIN", "BEGIN\n");
    expect(&carol, "SAVEPOINT s", "SAVEPOINT\n");
    expect(&carol, "SET ROLE staff", "SET\n");
    expect(&carol, "SHOW role", "role\nstaff\nSHOW\n");
    expect(&carol, "SELECT count(*) FROM t", "count\n3\nSELECT 1\n");
    expect(&carol, "ROLLBACK TO SAVEPOINT s", "ROLLBACK\n");
    expect(&carol, "SELECT current_user, current_setting('role')",
           "current_user|current_setting\ncarol|none\nSELECT 1\n");
    expect(&carol, "SET ROLE staff", "SET\n");
    expect(&carol, "SAVEPOINT s2", "SAVEPOINT\n");
    expect(&carol, "RESET ROLE", "RESET\n");
    expect(&carol, "SELECT 1 / 0", "ERROR 22012: division by zero\n");
    expect(&carol, "ROLLBACK TO SAVEPOINT s2", "ROLLBACK\n");
    expect(&carol, "SELECT current_user, current_setting('role')",
           "current_user|current_setting\nstaff|staff\nSELECT 1\n");
    expect(&carol, "COMMIT", "COMMIT\n");
    expect(&carol, "SELECT count(*) FROM t", "count\n3\nSELECT 1\n");
    expect(&carol, "RESET ROLE", "RESET\n");
    expect(&carol, "SELECT count(*) FROM t", DENIED("table t"));
    expect(su, "SHOW session_authorization", "session_authorization\npostgres\nSHOW\n");
    expect(su, "BEGIN", "BEGIN\n");
    expect(su, "SET ROLE alice", "SET\n");
    expect(su, "SAVEPOINT a", "SAVEPOINT\n");
    expect(su, "SET SESSION AUTHORIZATION bob", "SET\n");
    expect(su, "SHOW role", "role\nnone\nSHOW\n");
    expect(su, "SELECT current_user, session_user, current_setting('session_authorization')",
           "current_user|session_user|current_setting\nbob|bob|bob\nSELECT 1\n");
    expect(su, "ROLLBACK TO SAVEPOINT a", "ROLLBACK\n");
    expect(su, "SHOW role", "role\nalice\nSHOW\n");
    expect(su, "SELECT current_user, session_user", "current_user|session_user\nalice|postgres\n"
                                                     "SELECT 1\n");
    expect(su, "ROLLBACK", "ROLLBACK\n");
    expect(su, "SHOW role", "role\nnone\nSHOW\n");
    expect(su, "BEGIN", "BEGIN\n");
    expect(su, "SET LOCAL ROLE alice", "SET\n");
    expect(su, "SAVEPOINT a", "SAVEPOINT\n");
    expect(su, "SET ROLE bob", "SET\n");
    expect(su, "ROLLBACK TO SAVEPOINT a", "ROLLBACK\n");
    expect(su, "SHOW role", "role\nalice\nSHOW\n");
    expect(su, "COMMIT", "COMMIT\n");
    expect(su, "SELECT current_user, current_setting('role')",
           "current_user|current_setting\npostgres|none\nSELECT 1\n");
}

/* Ownership decides DDL; CREATE on a schema decides where a role may create. */
static void check_ownership(capture *su) {
    expect(&alice, "DROP TABLE t", "ERROR 42501: must be owner of table t\n");
    expect(&alice, "ALTER TABLE t ADD COLUMN b int", "ERROR 42501: must be owner of table t\n");
    expect(&alice, "CREATE INDEX ON t (a)", "ERROR 42501: must be owner of table t\n");
    expect(&alice, "CREATE TABLE mine (a int)", DENIED("schema public"));
    expect(&alice, "CREATE SCHEMA x", DENIED("database postgres"));
    expect(su, "GRANT CREATE ON SCHEMA public TO alice", "GRANT\n");
    expect(&alice, "CREATE TABLE mine (a int)", "CREATE TABLE\n");
    expect(&alice, "INSERT INTO mine VALUES (7)", "INSERT 0 1\n");
    expect(su, "SELECT relowner::regrole, relacl FROM pg_class WHERE relname = 'mine'",
           "relowner|relacl\nalice|NULL\nSELECT 1\n");
    expect(&alice, "GRANT SELECT ON mine TO bob", "GRANT\n");
    expect(&bob, "SELECT * FROM mine", "a\n7\nSELECT 1\n");
    expect(&alice, "ALTER TABLE mine OWNER TO bob",
           "ERROR 42501: must be member of role \"bob\"\n");
    expect(su, "ALTER TABLE mine OWNER TO carol", "ALTER TABLE\n");
    expect(su, "SELECT relacl FROM pg_class WHERE relname = 'mine'",
           "relacl\n{carol=arwdDxt/carol,bob=r/carol}\nSELECT 1\n");
    expect(&alice, "SELECT * FROM mine", DENIED("table mine"));
    expect(su, "SELECT nspacl FROM pg_namespace WHERE nspname = 'public'",
           "nspacl\n{pg_database_owner=UC/pg_database_owner,=U/pg_database_owner,"
           "alice=C/pg_database_owner}\nSELECT 1\n");
    expect(su, "DROP ROLE carol",
           "ERROR 2BP01: role \"carol\" cannot be dropped because some objects depend on it\n");
}

/* Sequences: nextval needs USAGE or UPDATE, setval UPDATE. */
static void check_sequences(capture *su) {
    expect(&alice, "SELECT nextval('s')", DENIED("sequence s"));
    expect(su, "GRANT USAGE ON SEQUENCE s TO alice", "GRANT\n");
    expect(&alice, "SELECT nextval('s')", "nextval\n1\nSELECT 1\n");
    expect(&alice, "SELECT setval('s', 10)", DENIED("sequence s"));
    /* A serial column's default calls nextval as the inserting role. */
    expect(su, "CREATE TABLE ser (id serial, v text)", "CREATE TABLE\n");
    expect(su, "GRANT INSERT ON ser TO alice", "GRANT\n");
    expect(&alice, "INSERT INTO ser (v) VALUES ('x')", DENIED("sequence ser_id_seq"));
    expect(&alice, "INSERT INTO ser (id, v) VALUES (5, 'y')", "INSERT 0 1\n");
    expect(su, "GRANT INSERT ON SEQUENCE s TO alice",
           "ERROR 0LP01: invalid privilege type INSERT for sequence\n");
    expect(su, "SELECT has_sequence_privilege('alice', 's', 'usage'), "
               "has_sequence_privilege('alice', 's', 'update')",
           "has_sequence_privilege|has_sequence_privilege\nt|f\nSELECT 1\n");
}

/* PostgreSQL 15's predefined roles: present with PostgreSQL's OIDs, neither dropped nor
 * altered; pg_read_all_data and pg_write_all_data act as grants on every table, sequence and
 * schema; pg_database_owner has no explicit members. Then SET LOCAL outside a transaction
 * block: a WARNING and no effect. */
static void check_predefined(capture *su) {
    expect(su, "CREATE ROLE dave LOGIN", "CREATE ROLE\n");
    expect(su, "CREATE TABLE pd (a int)", "CREATE TABLE\n");
    expect(su, "INSERT INTO pd VALUES (1)", "INSERT 0 1\n");
    expect(su, "CREATE SEQUENCE pds", "CREATE SEQUENCE\n");
    expect(su, "CREATE SCHEMA pdsch", "CREATE SCHEMA\n");
    expect(su, "CREATE TABLE pdsch.x (a int)", "CREATE TABLE\n");
    expect(su, "SELECT oid, rolname FROM pg_roles WHERE rolname LIKE 'pg\\_%' ORDER BY oid",
           "oid|rolname\n3373|pg_monitor\n3374|pg_read_all_settings\n3375|pg_read_all_stats\n"
           "3377|pg_stat_scan_tables\n4200|pg_signal_backend\n4544|pg_checkpoint\n"
           "4569|pg_read_server_files\n4570|pg_write_server_files\n"
           "4571|pg_execute_server_program\n6171|pg_database_owner\n6181|pg_read_all_data\n"
           "6182|pg_write_all_data\nSELECT 12\n");
    expect(su, "SELECT roleid::regrole, member::regrole FROM pg_auth_members WHERE member = "
               "'pg_monitor'::regrole ORDER BY 1",
           "roleid|member\npg_read_all_settings|pg_monitor\npg_read_all_stats|pg_monitor\n"
           "pg_stat_scan_tables|pg_monitor\nSELECT 3\n");
    capture dave;
    if (!sh_open_as(&dave, "dave", 43)) return;
    expect(&dave, "SELECT * FROM pd", DENIED("table pd"));
    expect(su, "GRANT pg_read_all_data TO dave", "GRANT ROLE\n");
    expect(&dave, "SELECT * FROM pd", "a\n1\nSELECT 1\n");
    expect(&dave, "SELECT * FROM pdsch.x", "a\nSELECT 0\n");
    expect(&dave, "SELECT has_sequence_privilege('pds', 'select')",
           "has_sequence_privilege\nt\nSELECT 1\n");
    expect(&dave, "SELECT nextval('pds')", DENIED("sequence pds"));
    expect(&dave, "INSERT INTO pd VALUES (2)", DENIED("table pd"));
    expect(&dave, "SELECT has_table_privilege('pd', 'select'), has_schema_privilege('pdsch', "
                  "'usage'), has_table_privilege('pd', 'insert')",
           "has_table_privilege|has_schema_privilege|has_table_privilege\nt|t|f\nSELECT 1\n");
    expect(su, "GRANT pg_write_all_data TO dave", "GRANT ROLE\n");
    expect(&dave, "INSERT INTO pd VALUES (2)", "INSERT 0 1\n");
    expect(&dave, "UPDATE pd SET a = 3 WHERE a = 2", "UPDATE 1\n");
    expect(&dave, "DELETE FROM pd WHERE a = 3", "DELETE 1\n");
    expect(&dave, "TRUNCATE pd", DENIED("table pd"));
    expect(&dave, "SELECT nextval('pds')", "nextval\n1\nSELECT 1\n");
    expect(&dave, "CREATE TABLE pdsch.y (a int)", DENIED("schema pdsch"));
    expect(su, "DROP ROLE pg_monitor", "ERROR 2BP01: cannot drop role pg_monitor because it is "
                                       "required by the database system\n");
    /* The bootstrap superuser, dropped by another superuser: the same error. */
    expect(su, "CREATE ROLE su2 SUPERUSER", "CREATE ROLE\n");
    expect(su, "SET SESSION AUTHORIZATION su2", "SET\n");
    expect(su, "DROP ROLE postgres", "ERROR 2BP01: cannot drop role postgres because it is "
                                     "required by the database system\n");
    expect(su, "RESET SESSION AUTHORIZATION", "RESET\n");
    expect(su, "DROP ROLE su2", "DROP ROLE\n");
    expect(su, "ALTER ROLE pg_read_all_data LOGIN",
           "ERROR 42939: role name \"pg_read_all_data\" is reserved\n");
    expect(su, "ALTER ROLE pg_monitor RENAME TO mon",
           "ERROR 42939: role name \"pg_monitor\" is reserved\n");
    expect(su, "GRANT pg_database_owner TO dave",
           "ERROR XX000: role \"pg_database_owner\" cannot have explicit members\n");
    expect(su, "GRANT dave TO pg_database_owner",
           "ERROR XX000: role \"pg_database_owner\" cannot be a member of any role\n");
    expect(su, "SELECT pg_has_role('dave', 'pg_database_owner', 'member'), "
               "pg_has_role('postgres', 'pg_database_owner', 'member')",
           "pg_has_role|pg_has_role\nf|t\nSELECT 1\n");
    /* The database owner's all-data privileges: its own memberships (looked up with the
     * owner's implicit pg_database_owner role on the path), nothing through the owner role. */
    expect(su, "ALTER DATABASE postgres OWNER TO dave", "ALTER DATABASE\n");
    expect(su, "GRANT pg_read_all_data TO pg_database_owner",
           "ERROR XX000: role \"pg_database_owner\" cannot be a member of any role\n");
    expect(&dave, "SELECT * FROM pd", "a\n1\nSELECT 1\n");
    expect(&dave, "INSERT INTO pd VALUES (4)", "INSERT 0 1\n");
    expect(&dave, "DELETE FROM pd WHERE a = 4", "DELETE 1\n");
    expect(su, "REVOKE pg_read_all_data, pg_write_all_data FROM dave", "REVOKE ROLE\n");
    expect(&dave, "SELECT has_table_privilege('pd', 'select'), has_schema_privilege('pdsch', "
                  "'usage')",
           "has_table_privilege|has_schema_privilege\nf|f\nSELECT 1\n");
    expect(su, "ALTER DATABASE postgres OWNER TO postgres", "ALTER DATABASE\n");
    expect(&dave, "SELECT * FROM pd", DENIED("table pd"));
    expect(&dave, "SET LOCAL work_mem = '1MB'",
           "WARNING 25P01: SET LOCAL can only be used in transaction blocks\nSET\n");
    expect(&dave, "SHOW work_mem", "work_mem\n4MB\nSHOW\n");
    expect(&dave, "BEGIN", "BEGIN\n");
    expect(&dave, "SET LOCAL work_mem = '1MB'", "SET\n");
    expect(&dave, "SHOW work_mem", "work_mem\n1MB\nSHOW\n");
    expect(&dave, "COMMIT", "COMMIT\n");
    expect(&dave, "SHOW work_mem", "work_mem\n4MB\nSHOW\n");
    sql_session_close(dave.s);
    expect(su, "DROP SCHEMA pdsch CASCADE", "NOTICE 00000: drop cascades to table pdsch.x\n"
                                            "DROP SCHEMA\n");
    expect(su, "DROP TABLE pd", "DROP TABLE\n");
    expect(su, "DROP SEQUENCE pds", "DROP SEQUENCE\n");
    expect(su, "DROP ROLE dave", "DROP ROLE\n");
}

/* The privilege tests and information_schema read the same access lists. */
static void check_catalog(capture *su) {
    expect(su, "SELECT has_table_privilege('alice', 't', 'select'), "
               "has_table_privilege('bob', 't', 'select'), "
               "has_table_privilege('bob', 't', 'insert WITH GRANT OPTION')",
           "has_table_privilege|has_table_privilege|has_table_privilege\nt|f|t\nSELECT 1\n");
    expect(su, "SELECT has_schema_privilege('bob', 'public', 'create'), "
               "has_schema_privilege('bob', 'public', 'usage'), "
               "has_database_privilege('bob', 'postgres', 'connect')",
           "has_schema_privilege|has_schema_privilege|has_database_privilege\nf|t|t\n"
           "SELECT 1\n");
    expect(&bob, "SELECT has_table_privilege('t', 'insert'), has_table_privilege('t', 'select')",
           "has_table_privilege|has_table_privilege\nt|f\nSELECT 1\n");
    expect(su, "SELECT grantor, grantee, privilege_type, is_grantable FROM "
               "information_schema.table_privileges WHERE table_name = 't' AND grantee <> "
               "'postgres' ORDER BY 2, 3",
           "grantor|grantee|privilege_type|is_grantable\npostgres|bob|INSERT|YES\n"
           "postgres|staff|SELECT|NO\nSELECT 2\n");
    expect(&bob, "SELECT grantee, privilege_type FROM information_schema.role_table_grants "
                 "WHERE table_name = 't'",
           "grantee|privilege_type\nbob|INSERT\nSELECT 1\n");
    expect(su, "REVOKE CONNECT ON DATABASE postgres FROM PUBLIC", "REVOKE\n");
    expect(su, "SELECT datacl FROM pg_database WHERE datname = 'postgres'",
           "datacl\n{=T/postgres,postgres=CTc/postgres}\nSELECT 1\n");
}

static void phase_create(capture *su) {
    setup_objects(su);
    check_tables(su);
    check_columns(su);
    check_roles(su);
    check_role_savepoints(su);
    check_ownership(su);
    check_sequences(su);
    check_predefined(su);
    check_catalog(su);
    sql_session_close(alice.s);
    sql_session_close(bob.s);
    sql_session_close(carol.s);
}

/* After a restart: the same owners, access lists and memberships, still enforced. */
static void phase_verify(capture *su) {
    expect(su, "SELECT relname, relowner::regrole, relacl FROM pg_class WHERE relname IN "
               "('t', 'mine') ORDER BY 1",
           "relname|relowner|relacl\nmine|carol|{carol=arwdDxt/carol,bob=r/carol}\n"
           "t|postgres|{postgres=arwdDxt/postgres,bob=a*/postgres,staff=r/postgres}\n"
           "SELECT 2\n");
    expect(su, "SELECT count(*) FROM pg_auth_members", "count\n5\nSELECT 1\n");
    expect(su, "SELECT count(*) FROM pg_roles WHERE oid < 16384", "count\n13\nSELECT 1\n");
    capture c;
    rt_err err;
    rt_err_clear(&err);
    sql_startup st = {.user = "alice", .database = "postgres", .backend_pid = 44};
    TEST_CHECK(!sql_session_open(&st, &c.s, &err));
    TEST_CHECK(strcmp(err.sqlstate, "42501") == 0);
    TEST_CHECK(strcmp(err.message, "permission denied for database \"postgres\"") == 0);
    expect(su, "GRANT CONNECT ON DATABASE postgres TO alice", "GRANT\n");
    if (!sh_open_as(&alice, "alice", 43)) return;
    expect(&alice, "SELECT count(*) FROM t", "count\n3\nSELECT 1\n");
    expect(&alice, "SELECT * FROM mine", DENIED("table mine"));
    expect(su, "SELECT attname, attacl FROM pg_attribute WHERE attrelid = 'tc'::regclass "
               "AND attnum > 0 ORDER BY 1",
           "attname|attacl\na|{bob=r/postgres}\nb|{bob=r*w/postgres,alice=r/bob}\nSELECT 2\n");
    expect(&alice, "SELECT b FROM tc", "b\n2\nSELECT 1\n");
    expect(&alice, "SELECT a FROM tc", DENIED("table tc"));
    sql_session_close(alice.s);
}

/* A phase over the directory the earlier phase left (a restart between them). */
static int privs_run(const char *dir, sh_script_fn fn) {
    sh_script = fn;
    return sh_run_fiber(dir, 2, sh_fiber);
}

static void test_privileges_across_restart(void **state) {
    (void)state;
    char dir[128];
    assert_true(sh_dir_fresh(dir, sizeof dir, "privs"));
    assert_int_equal(privs_run(dir, phase_create), 0);
    assert_int_equal(privs_run(dir, phase_verify), 0);
    assert_true(sh_dir_remove(dir));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_privileges_across_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
