/* test_net_conf.c: the configuration file reader and the server settings (net_conf).
 * How: feeds dreambase.conf texts to net_conf_load_text (and real files to net_conf_load_file
 * for include and the default file) and checks the values in force, the command line's
 * priority, and the errors a user sees for bad input: PostgreSQL's wording with the file and
 * line. Session settings (statement_timeout, TimeZone) are checked by the SQL layer's table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "net/net_conf.h"
#include "sql/sql_session.h"

static net_conf conf;
static rt_err err;

static int test_setup(void **state) {
    (void)state;
    net_conf_init(&conf);
    rt_err_clear(&err);
    return 0;
}

static int test_teardown(void **state) {
    (void)state;
    net_conf_free(&conf);
    return 0;
}

static bool test_load(const char *text) {
    return net_conf_load_text(&conf, text, (uint32_t)strlen(text), "/d/dreambase.conf", &err);
}

static void test_net_conf_defaults_are_the_documented_ones(void **state) {
    (void)state;
    assert_string_equal(net_conf_str(&conf, NET_CONF_LISTEN_ADDRESSES), "127.0.0.1");
    assert_int_equal(net_conf_int(&conf, NET_CONF_PORT), 5432);
    assert_int_equal(net_conf_int(&conf, NET_CONF_MAX_CONNECTIONS), 100);
    assert_int_equal(net_conf_int(&conf, NET_CONF_SSL), 0);
    assert_string_equal(net_conf_str(&conf, NET_CONF_HBA_FILE), "dreambase_hba.conf");
    assert_int_equal(net_conf_int(&conf, NET_CONF_AUTHENTICATION_TIMEOUT), 60000);
    assert_string_equal(net_conf_str(&conf, NET_CONF_AUTHENTICATION_TIMEOUT), "1min");
}

static void test_net_conf_reads_postgresql_conf_syntax(void **state) {
    (void)state;
    assert_true(test_load("# a comment\n"
                          "\n"
                          "port = 6543            # trailing comment\n"
                          "listen_addresses='*'\n"
                          "max_connections 1000\n"
                          "  SSL = on\n"
                          "ssl_cert_file = '/etc/x/it''s.crt'\n"
                          "unix_socket_directories = '/tmp, /run/db'\r\n"
                          "authentication_timeout = 30s\n"
                          "max_message_size = 64MB\n"
                          "log_min_messages = warning\n"
                          "statement_timeout = '5min'\n"
                          "TimeZone = 'Europe/Paris'\n"));
    assert_int_equal(net_conf_int(&conf, NET_CONF_PORT), 6543);
    assert_string_equal(net_conf_str(&conf, NET_CONF_LISTEN_ADDRESSES), "*");
    assert_int_equal(net_conf_int(&conf, NET_CONF_MAX_CONNECTIONS), 1000);
    assert_string_equal(net_conf_str(&conf, NET_CONF_SSL), "on");
    assert_string_equal(net_conf_str(&conf, NET_CONF_SSL_CERT_FILE), "/etc/x/it's.crt");
    assert_string_equal(net_conf_str(&conf, NET_CONF_UNIX_SOCKET_DIRECTORIES), "/tmp, /run/db");
    assert_int_equal(net_conf_int(&conf, NET_CONF_AUTHENTICATION_TIMEOUT), 30000);
    assert_string_equal(net_conf_str(&conf, NET_CONF_AUTHENTICATION_TIMEOUT), "30s");
    assert_int_equal(net_conf_int(&conf, NET_CONF_MAX_MESSAGE_SIZE), 64 << 20);
    assert_string_equal(net_conf_str(&conf, NET_CONF_LOG_MIN_MESSAGES), "warning");
    assert_int_equal(conf.session_count, 2);
    assert_string_equal(conf.session[0].name, "statement_timeout");
    assert_string_equal(conf.session[0].value, "5min");
    assert_string_equal(conf.session[1].value, "Europe/Paris");
}

static void test_net_conf_escapes_in_quoted_values(void **state) {
    (void)state;
    assert_true(test_load("ssl_key_file = 'a\\'b\\\\c\\tz'\n"));
    assert_string_equal(net_conf_str(&conf, NET_CONF_SSL_KEY_FILE), "a'b\\c\tz");
}

static void test_net_conf_later_lines_win(void **state) {
    (void)state;
    assert_true(test_load("port = 1000\nport = 2000\n"));
    assert_int_equal(net_conf_int(&conf, NET_CONF_PORT), 2000);
}

static void test_net_conf_command_line_overrides_file(void **state) {
    (void)state;
    net_conf args;
    net_conf_init(&args);
    assert_true(net_conf_set_arg(&args, "port=7000", &err));
    assert_true(net_conf_set_arg(&args, "max-connections=20", &err)); /* dashes read as _ */
    assert_true(net_conf_set_arg(&args, "statement_timeout=1s", &err));
    assert_true(net_conf_copy_command_line(&conf, &args, &err));
    assert_true(test_load("port = 1000\nmax_connections = 5\nstatement_timeout = 9s\n"
                          "shards = 3\n"));
    assert_int_equal(net_conf_int(&conf, NET_CONF_PORT), 7000);
    assert_int_equal(net_conf_int(&conf, NET_CONF_MAX_CONNECTIONS), 20);
    assert_int_equal(net_conf_int(&conf, NET_CONF_SHARDS), 3);
    assert_string_equal(conf.session[0].value, "1s");
    net_conf_free(&args);
}

static void test_net_conf_unknown_name_names_file_and_line(void **state) {
    (void)state;
    assert_false(test_load("port = 5432\n\n# x\nmax_conections = 10\n"));
    assert_string_equal(err.sqlstate, "42704");
    assert_string_equal(err.message, "unrecognized configuration parameter \"max_conections\" "
                                     "in file \"/d/dreambase.conf\" line 4");
}

static void test_net_conf_bad_values_name_file_and_line(void **state) {
    (void)state;
    static const struct { const char *text, *message; } cases[] = {
        {"port = abc\n", "invalid value for parameter \"port\": \"abc\" in file "
                         "\"/d/dreambase.conf\" line 1"},
        {"\nport = 70000\n", "70000 is outside the valid range for parameter \"port\" "
                             "(1 .. 65535) in file \"/d/dreambase.conf\" line 2"},
        {"ssl = maybe\n", "parameter \"ssl\" requires a Boolean value in file "
                          "\"/d/dreambase.conf\" line 1"},
        {"authentication_timeout = 5 parsecs\n", NULL},
        {"max_connections = 0\n", "0 is outside the valid range for parameter "
                                  "\"max_connections\" (1 .. 10000) in file "
                                  "\"/d/dreambase.conf\" line 1"},
        {"statement_timeout = 'soon'\n", "invalid value for parameter \"statement_timeout\": "
                                         "\"soon\" in file \"/d/dreambase.conf\" line 1"},
        {"log_min_messages = loud\n", "invalid value for parameter \"log_min_messages\": "
                                      "\"loud\" in file \"/d/dreambase.conf\" line 1"},
        {"server_version = '99'\n", "parameter \"server_version\" cannot be changed in file "
                                    "\"/d/dreambase.conf\" line 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        net_conf_free(&conf);
        net_conf_init(&conf);
        rt_err_clear(&err);
        assert_false(test_load(cases[i].text));
        if (cases[i].message != NULL) assert_string_equal(err.message, cases[i].message);
        else assert_string_equal(err.sqlstate, "F0000"); /* "5 parsecs": a second token */
    }
}

static void test_net_conf_syntax_errors(void **state) {
    (void)state;
    static const struct { const char *text, *message; } cases[] = {
        {"port = 'open\n", "syntax error in file \"/d/dreambase.conf\" line 1, near token \"'\""},
        {"port =\n", "syntax error in file \"/d/dreambase.conf\" line 1, near end of line"},
        {"ok = 1\n= 5\n", NULL},
        {"port = 1 2\n", "syntax error in file \"/d/dreambase.conf\" line 1, near token \"2\""},
        {"9port = 1\n", "syntax error in file \"/d/dreambase.conf\" line 1, near token \"9\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        net_conf_free(&conf);
        net_conf_init(&conf);
        rt_err_clear(&err);
        assert_false(test_load(cases[i].text));
        if (cases[i].message != NULL) {
            assert_string_equal(err.sqlstate, "F0000");
            assert_string_equal(err.message, cases[i].message);
        }
    }
}

static void test_net_conf_value_too_long(void **state) {
    (void)state;
    char text[NET_CONF_VALUE_BYTES_MAX + 64];
    memset(text, 'a', sizeof text);
    memcpy(text, "hba_file = ", 11);
    text[sizeof text - 2] = '\n';
    text[sizeof text - 1] = '\0';
    assert_false(test_load(text));
    assert_string_equal(err.sqlstate, "F0000");
    assert_non_null(strstr(err.message, "value too long in file \"/d/dreambase.conf\" line 1"));
}

static void test_write(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_net_conf_include_relative_to_the_file(void **state) {
    (void)state;
    char dir[] = "/tmp/dbtest-conf-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char main_path[128], inc[128];
    snprintf(main_path, sizeof main_path, "%s/dreambase.conf", dir);
    snprintf(inc, sizeof inc, "%s/more.conf", dir);
    test_write(main_path, "port = 1111\ninclude 'more.conf'\ninclude_if_exists 'none.conf'\n"
                          "max_connections = 7\n");
    test_write(inc, "port = 2222\nmax_connections = 3\n");
    assert_true(net_conf_load_file(&conf, main_path, &err));
    assert_int_equal(net_conf_int(&conf, NET_CONF_PORT), 2222);
    assert_int_equal(net_conf_int(&conf, NET_CONF_MAX_CONNECTIONS), 7);
    /* an include of itself ends at the nesting limit, with an error */
    test_write(inc, "include 'more.conf'\n");
    rt_err_clear(&err);
    assert_false(net_conf_load_file(&conf, main_path, &err));
    assert_non_null(strstr(err.message, "maximum nesting depth exceeded"));
    /* a missing include is an error naming the file */
    test_write(main_path, "include 'gone.conf'\n");
    rt_err_clear(&err);
    assert_false(net_conf_load_file(&conf, main_path, &err));
    assert_non_null(strstr(err.message, "could not open configuration file"));
    assert_non_null(strstr(err.message, "gone.conf"));
    unlink(inc);
    unlink(main_path);
    rmdir(dir);
}

/* The file written at first start reads back as the defaults, and is never overwritten. */
static void test_net_conf_default_file_reads_back_as_defaults(void **state) {
    (void)state;
    char dir[] = "/tmp/dbtest-conf-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/dreambase.conf", dir);
    assert_true(net_conf_write_default(path, &err));
    net_conf fresh;
    net_conf_init(&fresh);
    assert_true(net_conf_load_file(&fresh, path, &err));
    assert_memory_equal(fresh.values, conf.values, sizeof conf.values);
    assert_int_equal(fresh.session_count, 0);
    /* uncommenting a line works as written */
    test_write(path, "port = 6000\n");
    assert_true(net_conf_write_default(path, &err));
    assert_true(net_conf_load_file(&fresh, path, &err));
    assert_int_equal(net_conf_int(&fresh, NET_CONF_PORT), 6000);
    net_conf_free(&fresh);
    unlink(path);
    rmdir(dir);
}

/* Published settings are what new sessions see (SHOW); RESET goes back to them. */
static void test_net_conf_publish_sets_session_defaults(void **state) {
    (void)state;
    assert_true(test_load("max_connections = 42\nstatement_timeout = 2s\n"));
    assert_true(net_conf_publish(&conf, &err));
    uint32_t n = sql_setting_count();
    bool seen = false;
    for (uint32_t i = 0; i < n; i++) seen |= strcmp(sql_setting_at(i)->name, "ssl") == 0;
    assert_true(seen);
    const char *canon = NULL;
    assert_true(sql_setting_set_default("statement_timeout", "3000", &canon, &err));
    assert_string_equal(canon, "3s");
    assert_false(sql_setting_set_default("no_such_setting", "1", NULL, &err));
    assert_string_equal(err.sqlstate, "42704");
    sql_setting_defaults_free();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_net_conf_defaults_are_the_documented_ones,
                                        test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_net_conf_reads_postgresql_conf_syntax, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(test_net_conf_escapes_in_quoted_values, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(test_net_conf_later_lines_win, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(test_net_conf_command_line_overrides_file, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(test_net_conf_unknown_name_names_file_and_line,
                                        test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_net_conf_bad_values_name_file_and_line, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(test_net_conf_syntax_errors, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_net_conf_value_too_long, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_net_conf_include_relative_to_the_file, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(test_net_conf_default_file_reads_back_as_defaults,
                                        test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_net_conf_publish_sets_session_defaults, test_setup,
                                        test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
