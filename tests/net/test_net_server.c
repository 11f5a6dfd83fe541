/* test_net_server.c: the dreambase program end to end with libpq: its configuration file,
 * authentication rules, reload, bootstrap password and TLS from the configuration.
 * How: each test starts the real server (test_server.h) on a scratch data directory holding
 * the dreambase.conf and dreambase_hba.conf the test writes, and connects with libpq over TCP
 * and the Unix socket. Checked: trust, scram-sha-256, password and reject chosen by address,
 * user and database, with PostgreSQL's FATAL messages (28000, 28P01); SHOW of settings from
 * the file and the command line (which wins); SIGHUP re-reading rules and session defaults and
 * refusing restart-only changes; a bad line stops the start naming file and line; the
 * client's source address (raw startup packets from 127.0.0.x) choosing the rule; the
 * superuser's password from DREAMBASE_SUPERUSER_PASSWORD; TLS with ssl = on and the files of
 * tools/make-dev-cert, SCRAM-SHA-256-PLUS with channel_binding=require and verify-full, and
 * pg_stat_ssl / pg_stat_get_activity's TLS columns of a TLS and a Unix-socket session (the
 * same two sessions against PostgreSQL 15 with ssl = on show the same values). */
// ctest: TIMEOUT 300 LIBPQ
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_server.h"

static char test_err[1024];

static void test_exec_ok(PGconn *c, const char *sql) {
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    }
    PQclear(r);
}

/* Connects (must work) and returns SHOW name. */
static void test_show(const test_server *s, const char *name, char *out, size_t cap) {
    PGconn *c = test_server_connect(s, "user=postgres", test_err, sizeof test_err);
    if (c == NULL) fail_msg("connect: %s", test_err);
    char sql[128];
    snprintf(sql, sizeof sql, "SHOW %s", name);
    test_server_value(c, sql, out, cap);
    PQfinish(c);
}

/* The connection must fail with `message` (a substring of libpq's error text). */
static void test_refused(const test_server *s, const char *extra, const char *message) {
    PGconn *c = test_server_connect(s, extra, test_err, sizeof test_err);
    if (c != NULL) {
        PQfinish(c);
        fail_msg("%s: connected, expected \"%s\"", extra, message);
    }
    if (strstr(test_err, message) == NULL) {
        fail_msg("%s: expected \"%s\", got: %s", extra, message, test_err);
    }
}

static void test_connects(const test_server *s, const char *extra) {
    PGconn *c = test_server_connect(s, extra, test_err, sizeof test_err);
    if (c == NULL) fail_msg("%s: %s", extra, test_err);
    PQfinish(c);
}

static const char *const TEST_RULES =
    "# the Unix socket: trust (the test creates the roles through it)\n"
    "local  all       all                   trust\n"
    "host   nodb      all       127.0.0.1/32 reject\n"
    "host   all       alice     127.0.0.1/32 scram-sha-256\n"
    "host   all       bob       127.0.0.1/32 password\n"
    "host   all       dave      127.0.0.1/32 md5\n"
    "host   postgres  postgres  127.0.0.1/32 trust\n";

static void test_roles_create(const test_server *s) {
    char dsn[128];
    snprintf(dsn, sizeof dsn, "host=%s port=%d dbname=postgres user=postgres", s->dir, s->port);
    PGconn *c = PQconnectdb(dsn);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    test_exec_ok(c, "CREATE ROLE alice LOGIN PASSWORD 'alice-pw'");
    test_exec_ok(c, "CREATE ROLE bob LOGIN PASSWORD 'bob-pw'");
    test_exec_ok(c, "CREATE ROLE carol LOGIN PASSWORD 'carol-pw'");
    test_exec_ok(c, "CREATE ROLE dave LOGIN");
    test_exec_ok(c, "CREATE DATABASE nodb");
    PQfinish(c);
}

/* trust / scram / password / md5 / reject / no rule, by user, database and address. */
static void test_net_server_rules_choose_the_method(void **state) {
    (void)state;
    test_server s;
    assert_true(test_server_init(&s, "listen_addresses = '127.0.0.1'\n", TEST_RULES));
    assert_true(test_server_start(&s, NULL, NULL));
    test_roles_create(&s);
    test_connects(&s, "user=postgres");                         /* trust */
    test_connects(&s, "user=alice password=alice-pw channel_binding=disable");
    test_refused(&s, "user=alice password=wrong",
                 "FATAL:  password authentication failed for user \"alice\"");
    test_connects(&s, "user=bob password=bob-pw"); /* cleartext */
    test_refused(&s, "user=bob password=alice-pw",
                 "FATAL:  password authentication failed for user \"bob\"");
    /* md5 with no password set: the SCRAM exchange fails as a wrong password does */
    test_refused(&s, "user=dave password=x",
                 "FATAL:  password authentication failed for user \"dave\"");
    test_refused(&s, "user=postgres dbname=nodb",
                 "FATAL:  dreambase_hba.conf rejects connection for host \"127.0.0.1\", user "
                 "\"postgres\", database \"nodb\", no encryption");
    test_refused(&s, "user=carol password=carol-pw",
                 "FATAL:  no dreambase_hba.conf entry for host \"127.0.0.1\", user \"carol\", "
                 "database \"postgres\", no encryption");
    /* the Unix socket has its own line */
    char dsn[160];
    snprintf(dsn, sizeof dsn, "host=%s port=%d dbname=postgres user=carol", s.dir, s.port);
    PGconn *c = PQconnectdb(dsn);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PQfinish(c);
    assert_int_equal(test_server_stop(&s), 0);
    test_server_remove(&s);
}

static uint32_t test_be32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return ntohl(v);
}

/* A startup packet from source address `from` (libpq cannot choose its source): the first
 * answer's type ('R' authentication request, 'E' error), its code or the error's message. */
static char test_startup_from(const test_server *s, const char *from, const char *user,
                              char *out, size_t cap) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in src = {.sin_family = AF_INET}, dst = {.sin_family = AF_INET};
    inet_pton(AF_INET, from, &src.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    dst.sin_port = htons((uint16_t)s->port);
    assert_int_equal(bind(fd, (struct sockaddr *)&src, sizeof src), 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&dst, sizeof dst), 0);
    uint8_t pkt[256];
    uint32_t n = 8;
    n += (uint32_t)snprintf((char *)pkt + n, sizeof pkt - n, "user%c%s%cdatabase%cpostgres%c%c",
                            0, user, 0, 0, 0, 0);
    uint32_t be = htonl(n), version = htonl(196608);
    memcpy(pkt, &be, 4);
    memcpy(pkt + 4, &version, 4);
    assert_int_equal(send(fd, pkt, n, 0), (ssize_t)n);
    uint8_t buf[1024];
    ssize_t got = 0, r;
    while (got < (ssize_t)sizeof buf &&
           (r = recv(fd, buf + got, sizeof buf - (size_t)got, 0)) > 0) {
        got += r;
        if (got >= 5 && got >= 1 + (ssize_t)test_be32(buf + 1)) break;
    }
    close(fd);
    assert_true(got >= 9);
    out[0] = '\0';
    if (buf[0] == 'R') {
        snprintf(out, cap, "%u", test_be32(buf + 5));
    } else {
        for (ssize_t i = 5; i < got && buf[i] != 0; i += (ssize_t)strlen((char *)buf + i + 1) + 2) {
            if (buf[i] == 'M') snprintf(out, cap, "%s", (char *)buf + i + 1);
        }
    }
    return (char)buf[0];
}

/* The client's address picks the line: 127.0.0.2 is refused, 127.0.0.3 must use SCRAM,
 * 127.0.0.1 is trusted. */
static void test_net_server_rules_by_client_address(void **state) {
    (void)state;
    test_server s;
    assert_true(test_server_init(&s, NULL, "host all all 127.0.0.2/32 reject\n"
                                           "host all all 127.0.0.3 255.255.255.255 "
                                           "scram-sha-256\n"
                                           "host all all 127.0.0.1/32 trust\n"));
    assert_true(test_server_start(&s, NULL, NULL));
    char msg[256];
    assert_int_equal(test_startup_from(&s, "127.0.0.2", "postgres", msg, sizeof msg), 'E');
    assert_string_equal(msg, "dreambase_hba.conf rejects connection for host \"127.0.0.2\", "
                             "user \"postgres\", database \"postgres\", no encryption");
    assert_int_equal(test_startup_from(&s, "127.0.0.3", "postgres", msg, sizeof msg), 'R');
    assert_string_equal(msg, "10"); /* AuthenticationSASL */
    assert_int_equal(test_startup_from(&s, "127.0.0.1", "postgres", msg, sizeof msg), 'R');
    assert_string_equal(msg, "0"); /* AuthenticationOk */
    assert_int_equal(test_startup_from(&s, "127.0.0.4", "postgres", msg, sizeof msg), 'E');
    assert_string_equal(msg, "no dreambase_hba.conf entry for host \"127.0.0.4\", user "
                             "\"postgres\", database \"postgres\", no encryption");
    assert_int_equal(test_server_stop(&s), 0);
    test_server_remove(&s);
}

/* Settings from the file show in SHOW; the command line wins over the file. */
static void test_net_server_settings_from_file_and_flags(void **state) {
    (void)state;
    test_server s;
    assert_true(test_server_init(&s, "max_connections = 37\n"
                                     "statement_timeout = '1500ms'\n"
                                     "idle_in_transaction_session_timeout = 1min\n"
                                     "authentication_timeout = 20s\n"
                                     "max_message_size = 8MB\n"
                                     "TimeZone = 'Europe/Paris'\n"
                                     "log_min_messages = info\n", NULL));
    const char *flags[] = {"-c", "max_connections=41", NULL};
    assert_true(test_server_start(&s, flags, NULL));
    char v[256];
    test_show(&s, "max_connections", v, sizeof v);
    assert_string_equal(v, "41");
    test_show(&s, "statement_timeout", v, sizeof v);
    assert_string_equal(v, "1500ms");
    test_show(&s, "idle_in_transaction_session_timeout", v, sizeof v);
    assert_string_equal(v, "1min");
    test_show(&s, "authentication_timeout", v, sizeof v);
    assert_string_equal(v, "20s");
    test_show(&s, "max_message_size", v, sizeof v);
    assert_string_equal(v, "8388608");
    test_show(&s, "TimeZone", v, sizeof v);
    assert_string_equal(v, "Europe/Paris");
    test_show(&s, "shards", v, sizeof v);
    assert_string_equal(v, "2");
    test_show(&s, "ssl", v, sizeof v);
    assert_string_equal(v, "off");
    char port[16];
    snprintf(port, sizeof port, "%d", s.port);
    test_show(&s, "port", v, sizeof v);
    assert_string_equal(v, port);
    /* a session's SET wins, RESET returns to the file's value */
    PGconn *c = test_server_connect(&s, "user=postgres", test_err, sizeof test_err);
    assert_non_null(c);
    test_exec_ok(c, "SET statement_timeout = '3s'");
    test_exec_ok(c, "RESET statement_timeout");
    test_server_value(c, "SHOW statement_timeout", v, sizeof v);
    assert_string_equal(v, "1500ms");
    test_server_value(c, "SET max_connections = 5", v, sizeof v);
    assert_non_null(strstr(v, "cannot be changed without restarting the server"));
    /* the file's statement_timeout is in force */
    PGresult *r = PQexec(c, "SELECT pg_sleep(3)");
    assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "57014");
    PQclear(r);
    PQfinish(c);
    /* a message longer than max_message_size ends that connection with 08P01 */
    c = test_server_connect(&s, "user=postgres", test_err, sizeof test_err);
    assert_non_null(c);
    size_t big = 9u << 20;
    char *sql = malloc(big + 16);
    memcpy(sql, "SELECT '", 8);
    memset(sql + 8, 'x', big);
    memcpy(sql + 8 + big, "'", 2);
    r = PQexec(c, sql);
    assert_int_not_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_non_null(strstr(PQerrorMessage(c), "invalid message length"));
    PQclear(r);
    free(sql);
    PQfinish(c);
    test_connects(&s, "user=postgres"); /* the server goes on */
    assert_int_equal(test_server_stop(&s), 0);
    test_server_remove(&s);
}

/* SIGHUP: new rules and session defaults apply to new connections; a restart-only change is
 * logged and not applied; a broken rules file keeps the old rules. */
static void test_net_server_reload(void **state) {
    (void)state;
    test_server s;
    assert_true(test_server_init(&s, "statement_timeout = 1s\n",
                                 "local all all trust\n"
                                 "host all postgres 127.0.0.1/32 trust\n"));
    assert_true(test_server_start(&s, NULL, NULL));
    char dsn[160];
    snprintf(dsn, sizeof dsn, "host=%s port=%d dbname=postgres user=postgres", s.dir, s.port);
    PGconn *c = PQconnectdb(dsn);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    test_exec_ok(c, "CREATE ROLE erin LOGIN");
    PQfinish(c);
    test_refused(&s, "user=erin", "no dreambase_hba.conf entry for host \"127.0.0.1\", user "
                                  "\"erin\"");
    test_server_write(&s, "dreambase_hba.conf", "local all all trust\n"
                                                "host all all 127.0.0.1/32 trust\n");
    test_server_write(&s, "dreambase.conf", "statement_timeout = 2s\nmax_connections = 50\n"
                                            "port = 1\n");
    kill(s.pid, SIGHUP);
    assert_true(test_server_log_has(&s, "configuration reloaded"));
    assert_true(test_server_log_has(&s, "parameter \\\"max_connections\\\" cannot be changed "
                                        "without restarting the server"));
    test_connects(&s, "user=erin");
    char v[64];
    test_show(&s, "statement_timeout", v, sizeof v);
    assert_string_equal(v, "2s");
    test_show(&s, "max_connections", v, sizeof v);
    assert_string_equal(v, "100");
    /* -p on the command line wins over the file's port: nothing to report */
    char port[16];
    snprintf(port, sizeof port, "%d", s.port);
    test_show(&s, "port", v, sizeof v);
    assert_string_equal(v, port);
    /* a bad line: logged with file and line, the rules in force stay */
    test_server_write(&s, "dreambase_hba.conf", "host all all 127.0.0.1/32 trust\n"
                                                "host all all all kerberos\n");
    kill(s.pid, SIGHUP);
    assert_true(test_server_log_has(&s, "invalid authentication method \\\"kerberos\\\" in file"));
    assert_true(test_server_log_has(&s, "line 2; configuration not reloaded"));
    test_connects(&s, "user=erin");
    /* dropping a session default from the file brings back the built-in one */
    test_server_write(&s, "dreambase.conf", "");
    test_server_write(&s, "dreambase_hba.conf", "host all all 127.0.0.1/32 trust\n");
    kill(s.pid, SIGHUP);
    for (int i = 0; i < 100; i++) {
        test_show(&s, "statement_timeout", v, sizeof v);
        if (strcmp(v, "0") == 0) break;
        usleep(100 * 1000);
    }
    assert_string_equal(v, "0");
    assert_int_equal(test_server_stop(&s), 0);
    test_server_remove(&s);
}

/* A bad setting stops the start at once, naming the file and the line. */
static void test_net_server_bad_config_stops_start(void **state) {
    (void)state;
    static const struct { const char *conf, *hba, *message; } cases[] = {
        {"port = 5432\nmax_conections = 5\n", NULL,
         "unrecognized configuration parameter \\\"max_conections\\\" in file "},
        {"\n\nmax_connections = lots\n", NULL,
         "invalid value for parameter \\\"max_connections\\\": \\\"lots\\\" in file "},
        {NULL, "host all all 10.0.0.0/99 trust\n", "invalid CIDR mask in address"},
        {"ssl = on\nssl_cert_file = 'missing.crt'\n", NULL, "missing.crt"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        test_server s;
        assert_true(test_server_init(&s, cases[i].conf, cases[i].hba));
        assert_true(test_server_spawn(&s, NULL, NULL));
        assert_int_equal(test_server_exit_status(&s), 1);
        assert_true(test_server_log_has(&s, cases[i].message));
        if (i < 2) {
            char where[160];
            snprintf(where, sizeof where, "%s/dreambase.conf\\\" line %d", s.data, i == 0 ? 2 : 3);
            assert_true(test_server_log_has(&s, where));
        }
        test_server_remove(&s);
    }
    /* --config names a file that is not there */
    test_server s;
    assert_true(test_server_init(&s, NULL, NULL));
    const char *flags[] = {"--config", "/nonexistent/dreambase.conf", NULL};
    assert_true(test_server_spawn(&s, flags, NULL));
    assert_int_equal(test_server_exit_status(&s), 1);
    assert_true(test_server_log_has(&s, "could not open configuration file "
                                        "\\\"/nonexistent/dreambase.conf\\\""));
    test_server_remove(&s);
}

/* A new data directory: default files written; the superuser's password from the environment
 * (and only when it has none). */
static void test_net_server_first_start(void **state) {
    (void)state;
    test_server s;
    assert_true(test_server_init(&s, NULL, "local all all trust\n"
                                           "host all all 127.0.0.1/32 scram-sha-256\n"));
    assert_true(test_server_start(&s, NULL, "DREAMBASE_SUPERUSER_PASSWORD=boot-pw"));
    char path[256], text[8192];
    snprintf(path, sizeof path, "%s/dreambase.conf", s.data);
    assert_true(test_file_read(path, text, sizeof text));
    assert_non_null(strstr(text, "#max_connections = 100"));
    test_connects(&s, "user=postgres password=boot-pw");
    test_refused(&s, "user=postgres password=other", "password authentication failed");
    assert_int_equal(test_server_stop(&s), 0);
    /* a restart with another password leaves the one set */
    assert_true(test_server_start(&s, NULL, "DREAMBASE_SUPERUSER_PASSWORD=new-pw"));
    test_connects(&s, "user=postgres password=boot-pw");
    assert_int_equal(test_server_stop(&s), 0);
    test_server_remove(&s);
    /* no hba file given: the defaults trust loopback */
    assert_true(test_server_init(&s, NULL, NULL));
    assert_true(test_server_start(&s, NULL, NULL));
    snprintf(path, sizeof path, "%s/dreambase_hba.conf", s.data);
    assert_true(test_file_read(path, text, sizeof text));
    assert_non_null(strstr(text, "host    all       all   127.0.0.0/8    trust"));
    test_connects(&s, "user=postgres");
    assert_int_equal(test_server_stop(&s), 0);
    test_server_remove(&s);
}

/* ssl = on with tools/make-dev-cert's files; TLS + SCRAM with channel binding through libpq. */
/* pg_stat_ssl and pg_stat_get_activity's TLS columns of the TLS session `c`, seen by itself
 * and by a session over the Unix socket (ssl false there, version, cipher and bits NULL), as
 * PostgreSQL 15 shows them; the version, cipher and bits are those libpq negotiated. */
static void test_net_server_ssl_views(const test_server *s, PGconn *c) {
    char sql[512], v[256], want[256], extra[256];
    snprintf(want, sizeof want, "t|%s|%s|%s|t|t|t", PQsslAttribute(c, "protocol"),
             PQsslAttribute(c, "cipher"), PQsslAttribute(c, "key_bits"));
    snprintf(sql, sizeof sql, "SELECT concat_ws('|', ssl, version, cipher, bits, "
                              "client_dn IS NULL, client_serial IS NULL, issuer_dn IS NULL) "
                              "FROM pg_stat_ssl WHERE pid = %d", PQbackendPID(c));
    test_server_value(c, sql, v, sizeof v);
    assert_string_equal(v, want);
    snprintf(extra, sizeof extra, "host=%s user=postgres", s->dir);
    PGconn *u = test_server_connect(s, extra, test_err, sizeof test_err);
    if (u == NULL) fail_msg("%s", test_err);
    test_server_value(u, sql, v, sizeof v); /* the TLS session seen from another */
    assert_string_equal(v, want);
    snprintf(sql, sizeof sql, "SELECT concat_ws('|', ssl, version IS NULL, cipher IS NULL, "
                              "bits IS NULL) FROM pg_stat_ssl WHERE pid = %d", PQbackendPID(u));
    test_server_value(u, sql, v, sizeof v);
    assert_string_equal(v, "f|t|t|t");
    test_server_value(u, "SELECT count(*) FROM pg_stat_ssl WHERE ssl", v, sizeof v);
    assert_string_equal(v, "1");
    snprintf(want, sizeof want, "t|%s|%s|%s", PQsslAttribute(c, "protocol"),
             PQsslAttribute(c, "cipher"), PQsslAttribute(c, "key_bits"));
    test_server_value(c, "SELECT concat_ws('|', ssl, sslversion, sslcipher, sslbits) "
                         "FROM pg_stat_get_activity(pg_backend_pid())", v, sizeof v);
    assert_string_equal(v, want);
    test_server_value(u, "SELECT concat_ws('|', ssl, sslversion IS NULL, sslbits IS NULL) "
                         "FROM pg_stat_get_activity(pg_backend_pid())", v, sizeof v);
    assert_string_equal(v, "f|t|t");
    PQfinish(u);
}

/* Starts a server with ssl = on, tools/make-dev-cert's files, `conf` added to its
 * configuration and `hba` as its rules (the test is skipped when the files cannot be made),
 * and waits until it answers. */
static void test_tls_server_start(test_server *s, const char *conf, const char *hba,
                                  const char *env) {
    const char *src = getenv("DB_SOURCE_DIR");
    if (src == NULL) src = ".";
    char all[512];
    snprintf(all, sizeof all, "ssl = on\nssl_cert_file = 'server.crt'\n"
                              "ssl_key_file = 'server.key'\n%s", conf);
    assert_true(test_server_init(s, all, hba));
    if (test_sh("%s/tools/make-dev-cert -f %s >/dev/null", src, s->data) != 0) {
        test_server_remove(s);
        skip();
    }
    assert_true(test_server_spawn(s, NULL, env));
    char dsn[256];
    snprintf(dsn, sizeof dsn, "host=%s port=%d dbname=postgres user=postgres", s->dir, s->port);
    for (int i = 0; i < 300 && PQping(dsn) != PQPING_OK; i++) usleep(100 * 1000);
}

static void test_net_server_tls_from_config(void **state) {
    (void)state;
    test_server s;
    test_tls_server_start(&s, "",
                          "local all all trust\n"
                          "hostssl all all 127.0.0.1/32 scram-sha-256\n"
                          "hostnossl all all 127.0.0.1/32 reject\n",
                          "DREAMBASE_SUPERUSER_PASSWORD=tls-pw");
    char extra[512];
    snprintf(extra, sizeof extra, "user=postgres password=tls-pw sslmode=require "
                                  "channel_binding=require");
    PGconn *c = test_server_connect(&s, extra, test_err, sizeof test_err);
    if (c == NULL) fail_msg("%s", test_err);
    assert_int_equal(PQsslInUse(c), 1);
    char v[64];
    test_server_value(c, "SHOW ssl", v, sizeof v);
    assert_string_equal(v, "on");
    test_net_server_ssl_views(&s, c);
    PQfinish(c);
    snprintf(extra, sizeof extra, "host=localhost user=postgres password=tls-pw "
                                  "sslmode=verify-full sslrootcert=%s/ca.crt", s.data);
    test_connects(&s, extra);
    test_refused(&s, "user=postgres password=tls-pw sslmode=disable",
                 "dreambase_hba.conf rejects connection for host \"127.0.0.1\", user "
                 "\"postgres\", database \"postgres\", no encryption");
    test_refused(&s, "user=postgres password=bad sslmode=require channel_binding=require",
                 "password authentication failed for user \"postgres\"");
    assert_int_equal(test_server_stop(&s), 0);
    test_server_remove(&s);
}

/* A message over max_message_size sent over TLS: the server reads the rest of it through
 * TLS (counting what the ciphertext decrypts to, as the length field does) before it ends its
 * side, so a client still sending reads the FATAL rather than an early end or a reset
 * (tests/net/tls_close_drain.py sends it in small records and checks). */
static void test_net_server_tls_close_drain(void **state) {
    (void)state;
    const char *src = getenv("DB_SOURCE_DIR");
    if (src == NULL) src = ".";
    test_server s;
    test_tls_server_start(&s, "max_message_size = 256kB\n",
                          "local all all trust\nhostssl all all 127.0.0.1/32 trust\n", NULL);
    assert_int_equal(test_sh("/usr/bin/python3 %s/tests/net/tls_close_drain.py 127.0.0.1 %d %d",
                             src, s.port, 256 << 10),
                     0);
    test_connects(&s, "user=postgres sslmode=require"); /* the server goes on */
    assert_int_equal(test_server_stop(&s), 0);
    test_server_remove(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_net_server_rules_choose_the_method),
        cmocka_unit_test(test_net_server_rules_by_client_address),
        cmocka_unit_test(test_net_server_settings_from_file_and_flags),
        cmocka_unit_test(test_net_server_reload),
        cmocka_unit_test(test_net_server_bad_config_stops_start),
        cmocka_unit_test(test_net_server_first_start),
        cmocka_unit_test(test_net_server_tls_from_config),
        cmocka_unit_test(test_net_server_tls_close_drain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
