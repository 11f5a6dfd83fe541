/* test_server.h: runs the real dreambase program for end-to-end tests with libpq. A server
 * gets a scratch directory: data in dir/data (dreambase.conf and dreambase_hba.conf written
 * there first when the test gives them), its Unix socket in dir, its log in dir/log, a free
 * TCP port on 127.0.0.1, two shards. The binary is $DB_DREAMBASE, else ../dreambase next to
 * the test executable (build/<config>/tests/ -> build/<config>/dreambase). */
#ifndef TEST_SERVER_H
#define TEST_SERVER_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include <libpq-fe.h>

#include "test_net_cert.h"
#include "test_net_pg.h"

typedef struct test_server {
    char dir[64];
    char data[80];
    char log[80];
    int port;
    pid_t pid;
} test_server;

static inline bool test_server_binary(char *out, size_t cap) {
    const char *env = getenv("DB_DREAMBASE");
    if (env != NULL) return snprintf(out, cap, "%s", env) < (int)cap;
    char self[1024];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return false;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash == NULL) return false;
    *slash = '\0';
    snprintf(out, cap, "%s/../dreambase", self);
    return access(out, X_OK) == 0;
}

static inline void test_server_write(const test_server *s, const char *name, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%.64s", s->data, name);
    FILE *f = fopen(path, "w");
    if (f == NULL) return;
    fputs(text, f);
    fclose(f);
}

/* Makes the directory and writes the given files (NULL: the server writes its defaults). */
static inline bool test_server_init(test_server *s, const char *conf, const char *hba) {
    memset(s, 0, sizeof *s);
    if (!test_tmpdir_make(s->dir, sizeof s->dir, "server")) return false;
    snprintf(s->data, sizeof s->data, "%s/data", s->dir);
    snprintf(s->log, sizeof s->log, "%s/log", s->dir);
    mkdir(s->data, 0700);
    s->port = test_port_free();
    if (conf != NULL) test_server_write(s, "dreambase.conf", conf);
    if (hba != NULL) test_server_write(s, "dreambase_hba.conf", hba);
    return true;
}

static inline char *test_server_dsn(const test_server *s, const char *extra, char *buf,
                                    size_t cap) {
    snprintf(buf, cap, "host=127.0.0.1 port=%d dbname=postgres connect_timeout=10 %.400s",
             s->port, extra);
    return buf;
}

/* Starts the program (extra arguments after ours, NULL-terminated); envs "NAME=value" or
 * NULL. Does not wait. */
static inline bool test_server_spawn(test_server *s, const char *const *extra, const char *env) {
    char bin[1200], port[16], sock[96];
    if (!test_server_binary(bin, sizeof bin)) {
        fprintf(stderr, "dreambase binary not found (set DB_DREAMBASE)\n");
        return false;
    }
    snprintf(port, sizeof port, "%d", s->port);
    snprintf(sock, sizeof sock, "unix_socket_directories=%s", s->dir);
    const char *argv[32] = {bin, "-D", s->data, "-p", port, "--shards", "2", "-c", sock};
    int argc = 9;
    for (int i = 0; extra != NULL && extra[i] != NULL && argc < 31; i++) argv[argc++] = extra[i];
    argv[argc] = NULL;
    s->pid = fork();
    if (s->pid < 0) return false;
    if (s->pid == 0) {
        int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) dup2(fd, 2), dup2(fd, 1);
        if (env != NULL) putenv((char *)env);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    return true;
}

/* Waits until the server answers (true) or exits / 60 s pass (false). */
static inline bool test_server_wait(test_server *s) {
    char dsn[256];
    test_server_dsn(s, "user=postgres", dsn, sizeof dsn);
    for (int i = 0; i < 600; i++) {
        if (PQping(dsn) == PQPING_OK) return true;
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            return false;
        }
        usleep(100 * 1000);
    }
    return false;
}

static inline bool test_server_start(test_server *s, const char *const *extra, const char *env) {
    if (!test_server_spawn(s, extra, env)) return false;
    if (test_server_wait(s)) return true;
    test_sh("cat %s >&2", s->log);
    return false;
}

/* Exit status after SIGTERM (or of a server that already ended); -1 if killed. */
static inline int test_server_stop(test_server *s) {
    int status = 0;
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, &status, 0);
        s->pid = 0;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Waits for a server that should exit by itself; its status, or -1 after 60 s. */
static inline int test_server_exit_status(test_server *s) {
    for (int i = 0; i < 600; i++) {
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        usleep(100 * 1000);
    }
    return -1;
}

static inline void test_server_remove(test_server *s) {
    test_server_stop(s);
    test_tmpdir_remove(s->dir);
}

/* True when the log holds `text` (waits up to 10 s for it). */
static inline bool test_server_log_has(const test_server *s, const char *text) {
    static char buf[1 << 20];
    for (int i = 0; i < 100; i++) {
        test_file_read(s->log, buf, sizeof buf);
        if (strstr(buf, text) != NULL) return true;
        usleep(100 * 1000);
    }
    return false;
}

/* Connects; NULL with the error message in err_out when it fails. */
static inline PGconn *test_server_connect(const test_server *s, const char *extra, char *err_out,
                                          size_t cap) {
    char dsn[512];
    PGconn *c = PQconnectdb(test_server_dsn(s, extra, dsn, sizeof dsn));
    if (PQstatus(c) == CONNECTION_OK) return c;
    snprintf(err_out, cap, "%s", PQerrorMessage(c));
    PQfinish(c);
    return NULL;
}

/* One value of a one-row query ("" on error, with the error in out). */
static inline void test_server_value(PGconn *c, const char *sql, char *out, size_t cap) {
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        snprintf(out, cap, "%s", PQgetvalue(r, 0, 0));
    } else {
        snprintf(out, cap, "ERROR %s", PQresultErrorMessage(r));
    }
    PQclear(r);
}

/* The server's resident memory in kB (VmRSS). */
static inline long test_server_rss_kb(const test_server *s) {
    char path[64], buf[8192];
    snprintf(path, sizeof path, "/proc/%d/status", (int)s->pid);
    if (!test_file_read(path, buf, sizeof buf)) return -1;
    const char *p = strstr(buf, "VmRSS:");
    return p != NULL ? strtol(p + 6, NULL, 10) : -1;
}

#endif
