/* test_net_pg.h: a throwaway PostgreSQL 15 cluster for tests that check our behaviour against
 * the real thing. The cluster lives in a fresh /tmp directory with its Unix socket inside it
 * (so no port is shared with anyone); with `tcp` it also listens on 127.0.0.1 on a free port.
 * When running as root, PostgreSQL's programs run as the "postgres" user (initdb refuses
 * root). The binaries come from $DB_TEST_PG_BIN or /usr/lib/postgresql/15/bin; without them
 * test_pg_start() returns false and the caller skips. Link with libpq ("LIBPQ"). */
#ifndef TEST_NET_PG_H
#define TEST_NET_PG_H

#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <netinet/in.h>
#include <signal.h>
#include <pwd.h>
#include <sys/socket.h>

#include <libpq-fe.h>

#include "test_net_cert.h"

typedef struct test_pg {
    char dir[64];  /* socket directory; data in dir/data, server log in dir/log */
    char bin[256];
    char as_user[64]; /* "runuser -u postgres -- " when root, else "" */
    int port;
    bool running;
} test_pg;

/* A TCP port nobody listens on right now (the kernel's pick for an ephemeral bind). */
static inline int test_port_free(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    if (fd >= 0) close(fd);
    return port;
}

/* Makes `path` (a file or directory in the cluster's scratch dir) belong to the server user. */
static inline void test_pg_chown(const test_pg *pg, const char *path) {
    if (pg->as_user[0] != '\0') test_sh("chown -R postgres:postgres '%s'", path);
}

/* Stops clusters left behind by test processes that died before their teardown (a crash, a
 * sanitizer abort), so they do not keep running on a shared machine. Each cluster directory
 * holds owner.pid, the pid of the test that made it. */
static inline void test_pg_reap_orphans(const test_pg *pg) {
    glob_t found;
    if (glob("/tmp/dbtest-pg-*/owner.pid", 0, NULL, &found) != 0) return;
    for (size_t i = 0; i < found.gl_pathc; i++) {
        char buf[32];
        long pid = test_file_read(found.gl_pathv[i], buf, sizeof buf) ? strtol(buf, NULL, 10) : 0;
        if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM)) continue; /* alive */
        char dir[256];
        snprintf(dir, sizeof dir, "%.*s", (int)(strlen(found.gl_pathv[i]) - strlen("/owner.pid")),
                 found.gl_pathv[i]);
        test_sh("%s%s/pg_ctl -D %s/data -m immediate -w stop >/dev/null 2>&1", pg->as_user,
                pg->bin, dir);
        test_tmpdir_remove(dir);
    }
    globfree(&found);
}

/* initdb + pg_hba.conf `hba` + extra postgresql.conf lines `conf` (may be ""). */
static inline bool test_pg_init(test_pg *pg, bool tcp, const char *hba, const char *conf) {
    memset(pg, 0, sizeof *pg);
    const char *bin = getenv("DB_TEST_PG_BIN");
    snprintf(pg->bin, sizeof pg->bin, "%s", bin != NULL ? bin : "/usr/lib/postgresql/15/bin");
    char initdb[300];
    snprintf(initdb, sizeof initdb, "%s/initdb", pg->bin);
    if (access(initdb, X_OK) != 0) {
        fprintf(stderr, "no PostgreSQL 15 at %s (set DB_TEST_PG_BIN): skipping\n", pg->bin);
        return false;
    }
    if (geteuid() == 0) {
        if (getpwnam("postgres") == NULL) return false;
        snprintf(pg->as_user, sizeof pg->as_user, "runuser -u postgres -- ");
    }
    test_pg_reap_orphans(pg);
    if (!test_tmpdir_make(pg->dir, sizeof pg->dir, "pg")) return false;
    chmod(pg->dir, 0755);
    char owner[128];
    snprintf(owner, sizeof owner, "%s/owner.pid", pg->dir);
    FILE *owner_file = fopen(owner, "w");
    if (owner_file == NULL) return false;
    fprintf(owner_file, "%ld\n", (long)getpid());
    fclose(owner_file);
    test_pg_chown(pg, pg->dir);
    pg->port = tcp ? test_port_free() : 5432;
    if (test_sh("%s%s/initdb -D %s/data --locale=C -E UTF8 --auth=trust -U postgres "
                "--no-sync >%s/initdb.log 2>&1",
                pg->as_user, pg->bin, pg->dir, pg->dir) != 0) {
        test_sh("cat %s/initdb.log >&2", pg->dir);
        return false;
    }
    char path[256];
    snprintf(path, sizeof path, "%s/data/pg_hba.conf", pg->dir);
    FILE *f = fopen(path, "w");
    if (f == NULL) return false;
    fputs(hba, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/data/postgresql.conf", pg->dir);
    f = fopen(path, "a");
    if (f == NULL) return false;
    /* a scratch cluster: no fsync, and our own socket directory and port */
    fprintf(f, "\nfsync = off\nlisten_addresses = '%s'\nunix_socket_directories = '%s'\n"
               "port = %d\n%s\n",
            tcp ? "127.0.0.1" : "", pg->dir, pg->port, conf);
    fclose(f);
    return true;
}

/* Starts the cluster made by test_pg_init() (files added to dir/data meanwhile included). */
static inline bool test_pg_run(test_pg *pg) {
    test_pg_chown(pg, pg->dir);
    if (test_sh("%s%s/pg_ctl -D %s/data -l %s/log -w -t 60 start >/dev/null", pg->as_user,
                pg->bin, pg->dir, pg->dir) != 0) {
        test_sh("cat %s/log >&2", pg->dir);
        return false;
    }
    pg->running = true;
    return true;
}

static inline bool test_pg_start(test_pg *pg, bool tcp, const char *hba, const char *conf) {
    return test_pg_init(pg, tcp, hba, conf) && test_pg_run(pg);
}

static inline void test_pg_stop(test_pg *pg) {
    if (pg->running) {
        test_sh("%s%s/pg_ctl -D %s/data -m immediate -w stop >/dev/null", pg->as_user, pg->bin,
                pg->dir);
        pg->running = false;
    }
    if (pg->dir[0] != '\0') test_tmpdir_remove(pg->dir);
}

/* Connects through the Unix socket as `user` (the superuser "postgres" when NULL, which
 * pg_hba must trust) with `password` (may be NULL). Check PQstatus() of the result. */
static inline PGconn *test_pg_connect(const test_pg *pg, const char *user,
                                      const char *password) {
    char port[16];
    snprintf(port, sizeof port, "%d", pg->port);
    const char *keys[] = {"host", "port", "dbname", "user", "password", NULL};
    const char *values[] = {pg->dir, port, "postgres", user != NULL ? user : "postgres",
                            password, NULL};
    return PQconnectdbParams(keys, values, 0);
}

/* Runs `sql` as the superuser; copies the first column of the first row (if any) to out. */
static inline bool test_pg_exec(const test_pg *pg, const char *sql, char *out, size_t cap) {
    PGconn *conn = test_pg_connect(pg, NULL, NULL);
    bool ok = PQstatus(conn) == CONNECTION_OK;
    PGresult *res = ok ? PQexec(conn, sql) : NULL;
    ExecStatusType st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    ok = ok && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK);
    if (!ok) fprintf(stderr, "test_pg_exec(%s): %s", sql, PQerrorMessage(conn));
    if (out != NULL && cap > 0) {
        out[0] = '\0';
        if (ok && st == PGRES_TUPLES_OK && PQntuples(res) > 0) {
            snprintf(out, cap, "%s", PQgetvalue(res, 0, 0));
        }
    }
    PQclear(res);
    PQfinish(conn);
    return ok;
}

#endif
