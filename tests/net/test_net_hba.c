/* test_net_hba.c: the authentication rules (net_hba): parsing dreambase_hba.conf and choosing
 * the method for a connection.
 * How: parses rule texts with net_hba_parse and asks net_hba_match about clients made of a
 * socket address (IPv4, IPv6, IPv4-mapped IPv6, or the Unix socket), TLS or not, a user and a
 * database: first match wins, keywords and lists, CIDR and netmask columns, samehost; bad lines
 * fail with F0000 naming the file and line, +role and samerole match the members the client's
 * member_of reports. The default rules file is parsed back too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "net/net_hba.h"

static struct sockaddr_storage test_addr(const char *ip) {
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    if (ip == NULL) {
        ss.ss_family = AF_UNIX;
    } else if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
    } else {
        assert_int_equal(inet_pton(AF_INET6, ip, &a6->sin6_addr), 1);
        a6->sin6_family = AF_INET6;
    }
    return ss;
}

static net_hba *test_parse(const char *text) {
    net_hba *hba = NULL;
    rt_err err;
    rt_err_clear(&err);
    if (!net_hba_parse(text, (uint32_t)strlen(text), "/d/dreambase_hba.conf", &hba, &err)) {
        fail_msg("parse failed: %s", err.message);
    }
    return hba;
}

/* The method for (ip, tls, user, database), or 0 when no rule matches; *line the rule's line. */
static int test_method(const net_hba *hba, const char *ip, bool tls, const char *user,
                       const char *db, uint32_t *line) {
    struct sockaddr_storage ss = test_addr(ip);
    net_hba_client c = {.addr = (struct sockaddr *)&ss, .tls = tls, .user = user,
                        .database = db};
    net_hba_result r;
    bool hit = net_hba_match(hba, &c, &r);
    if (line != NULL) *line = r.line;
    return hit ? (int)r.method : 0;
}

/* Memberships for +role and samerole: alice and bob are members of admins, bob through ops. */
static bool test_member_of(const char *user, const char *role) {
    if (strcmp(role, "admins") == 0) return strcmp(user, "alice") == 0 || strcmp(user, "bob") == 0;
    if (strcmp(role, "ops") == 0) return strcmp(user, "bob") == 0;
    return false;
}

static void test_net_hba_role_members(void **state) {
    (void)state;
    net_hba *hba = test_parse("host all +admins all trust\n"
                              "host samerole all all password\n"
                              "host all all all reject\n");
    struct sockaddr_storage ss = test_addr("10.0.0.1");
    net_hba_client c = {.addr = (struct sockaddr *)&ss, .user = "bob", .database = "x",
                        .member_of = test_member_of};
    net_hba_result r;
    assert_true(net_hba_match(hba, &c, &r));
    assert_int_equal(r.method, NET_HBA_TRUST); /* a member of admins */
    c.user = "carol";
    c.database = "ops";
    assert_true(net_hba_match(hba, &c, &r));
    assert_int_equal(r.method, NET_HBA_REJECT); /* not a member of ops */
    c.user = "bob";
    c.member_of = NULL; /* no membership information: only the role itself */
    assert_true(net_hba_match(hba, &c, &r));
    assert_int_equal(r.method, NET_HBA_REJECT);
    c.user = "ops";
    assert_true(net_hba_match(hba, &c, &r));
    assert_int_equal(r.method, NET_HBA_PASSWORD); /* samerole: the role itself */
    net_hba_free(hba);
}

static void test_net_hba_first_match_wins(void **state) {
    (void)state;
    net_hba *hba = test_parse("# TYPE DATABASE USER ADDRESS METHOD\n"
                              "local  all      all           trust\n"
                              "\n"
                              "host   secret   all  0.0.0.0/0 reject   # comment\n"
                              "host   all      bob  10.1.0.0/16 password\n"
                              "host   all      all  10.0.0.0/8  scram-sha-256\n"
                              "host   all      all  127.0.0.1/32 trust\n");
    assert_int_equal(net_hba_rule_count(hba), 5);
    uint32_t line;
    assert_int_equal(test_method(hba, NULL, false, "alice", "app", &line), NET_HBA_TRUST);
    assert_int_equal(line, 2);
    assert_int_equal(test_method(hba, "10.1.2.3", false, "bob", "secret", &line), NET_HBA_REJECT);
    assert_int_equal(line, 4);
    assert_int_equal(test_method(hba, "10.1.2.3", false, "bob", "app", &line), NET_HBA_PASSWORD);
    assert_int_equal(test_method(hba, "10.2.2.3", false, "bob", "app", &line), NET_HBA_SCRAM);
    assert_int_equal(line, 6);
    assert_int_equal(test_method(hba, "127.0.0.1", false, "bob", "app", NULL), NET_HBA_TRUST);
    /* nothing matches: 192.168.x and IPv6 loopback */
    assert_int_equal(test_method(hba, "192.168.0.1", false, "bob", "app", &line), 0);
    assert_int_equal(line, 0);
    assert_int_equal(test_method(hba, "::1", false, "bob", "app", NULL), 0);
    net_hba_free(hba);
}

static void test_net_hba_connection_types(void **state) {
    (void)state;
    net_hba *hba = test_parse("hostssl   all all all scram-sha-256\n"
                              "hostnossl all all all reject\n");
    assert_int_equal(test_method(hba, "10.0.0.1", true, "u", "d", NULL), NET_HBA_SCRAM);
    assert_int_equal(test_method(hba, "10.0.0.1", false, "u", "d", NULL), NET_HBA_REJECT);
    assert_int_equal(test_method(hba, NULL, false, "u", "d", NULL), 0); /* no local line */
    net_hba_free(hba);
}

static void test_net_hba_lists_and_keywords(void **state) {
    (void)state;
    net_hba *hba = test_parse("host sameuser all all trust\n"
                              "host \"all\" all all md5\n"
                              "host db1,db2, db3 alice,+admins all password\n"
                              "host replication all all trust\n"
                              "host all all all reject\n");
    assert_int_equal(test_method(hba, "10.0.0.1", false, "carol", "carol", NULL), NET_HBA_TRUST);
    /* a quoted "all" is a database named all; md5 runs SCRAM */
    assert_int_equal(test_method(hba, "10.0.0.1", false, "carol", "all", NULL), NET_HBA_SCRAM);
    assert_int_equal(test_method(hba, "10.0.0.1", false, "alice", "db3", NULL),
                     NET_HBA_PASSWORD);
    assert_int_equal(test_method(hba, "10.0.0.1", false, "admins", "db2", NULL),
                     NET_HBA_PASSWORD);
    assert_int_equal(test_method(hba, "10.0.0.1", false, "carol", "db1", NULL), NET_HBA_REJECT);
    /* replication matches no ordinary connection, even to a database named so */
    assert_int_equal(test_method(hba, "10.0.0.1", false, "x", "replication", NULL),
                     NET_HBA_REJECT);
    net_hba_free(hba);
}

static void test_net_hba_addresses(void **state) {
    (void)state;
    net_hba *hba = test_parse("host all all 192.168.1.0 255.255.255.0 trust\n"
                              "host all all fd00::/8 password\n"
                              "host all all ::1/128 md5\n"
                              "host all all 10.0.0.7/32 reject\n");
    assert_int_equal(test_method(hba, "192.168.1.200", false, "u", "d", NULL), NET_HBA_TRUST);
    assert_int_equal(test_method(hba, "192.168.2.1", false, "u", "d", NULL), 0);
    assert_int_equal(test_method(hba, "fd12::5", false, "u", "d", NULL), NET_HBA_PASSWORD);
    assert_int_equal(test_method(hba, "fe80::1", false, "u", "d", NULL), 0);
    assert_int_equal(test_method(hba, "::1", false, "u", "d", NULL), NET_HBA_SCRAM);
    /* an IPv4 client on a dual-stack socket is matched as IPv4 */
    assert_int_equal(test_method(hba, "::ffff:192.168.1.9", false, "u", "d", NULL),
                     NET_HBA_TRUST);
    assert_int_equal(test_method(hba, "10.0.0.7", false, "u", "d", NULL), NET_HBA_REJECT);
    assert_int_equal(test_method(hba, "10.0.0.8", false, "u", "d", NULL), 0);
    net_hba_free(hba);
}

static void test_net_hba_samehost(void **state) {
    (void)state;
    net_hba *hba = test_parse("host all all samehost trust\n");
    /* loopback is one of the machine's own addresses */
    assert_int_equal(test_method(hba, "127.0.0.1", false, "u", "d", NULL), NET_HBA_TRUST);
    assert_int_equal(test_method(hba, "203.0.113.9", false, "u", "d", NULL), 0);
    net_hba_free(hba);
}

static void test_net_hba_bad_lines_name_file_and_line(void **state) {
    (void)state;
    static const struct { const char *text, *message; } cases[] = {
        {"\nhostx all all all trust\n",
         "invalid connection type \"hostx\" in file \"/d/dreambase_hba.conf\" line 2"},
        {"host all all all kerberos\n",
         "invalid authentication method \"kerberos\" in file \"/d/dreambase_hba.conf\" line 1"},
        {"host all all 10.0.0.0/33 trust\n",
         "invalid CIDR mask in address \"10.0.0.0/33\" in file \"/d/dreambase_hba.conf\" line 1"},
        {"host all all db.example.com trust\n",
         "invalid IP address (host names are not supported) \"db.example.com\" in file "
         "\"/d/dreambase_hba.conf\" line 1"},
        {"host all all 10.0.0.0 trust\n",
         "invalid IP mask \"trust\" in file \"/d/dreambase_hba.conf\" line 1"},
        {"host all all\n",
         "end-of-line before \"address\" in file \"/d/dreambase_hba.conf\" line 1"},
        {"local all all\n",
         "end-of-line before \"authentication method\" in file \"/d/dreambase_hba.conf\" line 1"},
        {"host all all all trust clientcert=verify-full\n",
         "unrecognized authentication option name: \"clientcert=verify-full\" in file "
         "\"/d/dreambase_hba.conf\" line 1"},
        {"host \"all all all trust\n",
         "unterminated quoted string: \"all all all trust\" in file \"/d/dreambase_hba.conf\" "
         "line 1"},
        {"host @dbs all all trust\n",
         "file inclusion is not supported: \"@dbs\" in file \"/d/dreambase_hba.conf\" line 1"},
        {"host all all 10.0.0.0 ffff::  trust\n",
         "IP address and mask do not match, mask \"ffff::\" in file \"/d/dreambase_hba.conf\" "
         "line 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        net_hba *hba = NULL;
        rt_err err;
        rt_err_clear(&err);
        assert_false(net_hba_parse(cases[i].text, (uint32_t)strlen(cases[i].text),
                                   "/d/dreambase_hba.conf", &hba, &err));
        assert_null(hba);
        assert_string_equal(err.sqlstate, "F0000");
        assert_string_equal(err.message, cases[i].message);
    }
}

static void test_net_hba_addr_text(void **state) {
    (void)state;
    char buf[64];
    struct sockaddr_storage ss = test_addr("::ffff:10.1.2.3");
    net_hba_addr_text((struct sockaddr *)&ss, buf, sizeof buf);
    assert_string_equal(buf, "10.1.2.3");
    ss = test_addr("::1");
    net_hba_addr_text((struct sockaddr *)&ss, buf, sizeof buf);
    assert_string_equal(buf, "::1");
    ss = test_addr(NULL);
    net_hba_addr_text((struct sockaddr *)&ss, buf, sizeof buf);
    assert_string_equal(buf, "[local]");
}

/* The default rules: trust on the socket and loopback, SCRAM from elsewhere; never rewritten. */
static void test_net_hba_default_file(void **state) {
    (void)state;
    char dir[] = "/tmp/dbtest-hba-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, NET_HBA_FILE_NAME);
    rt_err err;
    rt_err_clear(&err);
    assert_true(net_hba_write_default(path, &err));
    net_hba *hba = NULL;
    assert_true(net_hba_load(path, &hba, &err));
    assert_int_equal(test_method(hba, NULL, false, "postgres", "postgres", NULL), NET_HBA_TRUST);
    assert_int_equal(test_method(hba, "127.0.0.1", false, "postgres", "x", NULL), NET_HBA_TRUST);
    assert_int_equal(test_method(hba, "127.8.9.1", true, "postgres", "x", NULL), NET_HBA_TRUST);
    assert_int_equal(test_method(hba, "::1", false, "postgres", "x", NULL), NET_HBA_TRUST);
    assert_int_equal(test_method(hba, "10.0.0.1", false, "postgres", "x", NULL), NET_HBA_SCRAM);
    assert_int_equal(test_method(hba, "2001:db8::1", true, "a", "x", NULL), NET_HBA_SCRAM);
    net_hba_free(hba);
    FILE *f = fopen(path, "w");
    fputs("local all all reject\n", f);
    fclose(f);
    assert_true(net_hba_write_default(path, &err));
    assert_true(net_hba_load(path, &hba, &err));
    assert_int_equal(net_hba_rule_count(hba), 1);
    net_hba_free(hba);
    assert_false(net_hba_load("/nonexistent/dreambase_hba.conf", &hba, &err));
    assert_string_equal(err.sqlstate, "F0000");
    unlink(path);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_net_hba_first_match_wins),
        cmocka_unit_test(test_net_hba_role_members),
        cmocka_unit_test(test_net_hba_connection_types),
        cmocka_unit_test(test_net_hba_lists_and_keywords),
        cmocka_unit_test(test_net_hba_addresses),
        cmocka_unit_test(test_net_hba_samehost),
        cmocka_unit_test(test_net_hba_bad_lines_name_file_and_line),
        cmocka_unit_test(test_net_hba_addr_text),
        cmocka_unit_test(test_net_hba_default_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
