/* sql_session_harness.h: drives a real session in-process for tests: the engine in a
 * temporary data directory, shards, one session opened as the bootstrap superuser, and
 * statements run through sql_session_simple_query with what a client would see captured as
 * text (rows "a|b", the command tag, notices, "ERROR <sqlstate>: <message>").
 *   sh_run(shards, fn): starts everything, runs fn(capture *) in a fiber on shard 0, stops;
 *   returns the number of mismatches and TEST_CHECK failures.
 *   run(c, sql) / expect(c, sql, want) inside fn; sh_open(c) / sh_open_as(c, user, pid) /
 *   sh_session_new() open another session (tests with several); sh_show_detail adds
 *   "DETAIL: ..." after an error's line; sh_check compares any text; sh_bg_start /
 *   sh_bg_wait run a statement that blocks in a fiber of its own (sh_bg_launch: one that
 *   may or may not block); sh_wait_done waits for a flag another fiber sets;
 *   sh_run_fiber runs a test's own fiber over an engine (a second run over the same
 *   directory is a restart); sh_run_sessions runs fn(capture *s[SH_SESSIONS]) with that many
 *   sessions open (tests of locks between sessions); sh_run_in runs a script over a
 *   directory it keeps, so a second run is a restart (engines may start one after the other in
 *   one process); sh_run_forked runs a script in a child process.
 * A test may define OUT_BYTES (the capture's size) before including this. */
#ifndef SQL_SESSION_HARNESS_H
#define SQL_SESSION_HARNESS_H

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/eng.h"
#include "runtime/rt_time.h"
#include "sql/sql_session.h"
#include "sql/sql_strbuf.h"
#include "sql/sql_types.h"
#include "tests/common/test_runtime.h"

#ifndef OUT_BYTES
#define OUT_BYTES 65536
#endif

typedef struct capture {
    sql_session *s;
    char out[OUT_BYTES];
    size_t len;
} capture;

static void cap_printf(capture *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cap_printf(capture *c, const char *fmt, ...) {
    if (c->len >= OUT_BYTES - 1) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->out + c->len, OUT_BYTES - c->len, fmt, ap);
    va_end(ap);
    if (n > 0) c->len += (size_t)n < OUT_BYTES - c->len ? (size_t)n : OUT_BYTES - c->len - 1;
}

static bool cap_describe(void *arg, const sql_col *cols, uint32_t ncols, const int16_t *formats,
                         rt_err *err) {
    (void)formats, (void)err;
    capture *c = arg;
    for (uint32_t i = 0; i < ncols; i++) cap_printf(c, "%s%s", i ? "|" : "", cols[i].name);
    cap_printf(c, "\n");
    return true;
}

static bool cap_rows(void *arg, const sql_batch *b, uint32_t from, uint32_t to,
                     const int16_t *formats, rt_err *err) {
    capture *c = arg;
    rt_arena *arena = rt_arena_create(1 << 20);
    sql_io_ctx io;
    sql_session_io(c->s, arena, err, &io);
    for (uint32_t r = from; r < to; r++) {
        for (uint32_t col = 0; col < b->ncols; col++) {
            sql_value v;
            sql_vec_get(&b->cols[col], r, &v);
            if (col > 0) cap_printf(c, "|");
            if (formats != NULL && formats[col] == 1) cap_printf(c, "b:"); /* binary asked */
            if (v.is_null) {
                cap_printf(c, "NULL");
                continue;
            }
            sql_strbuf sb;
            sql_strbuf_init(&sb, arena, 64);
            if (!sql_value_out(&io, &v, b->cols[col].typmod, &sb)) {
                rt_arena_destroy(arena);
                return false;
            }
            cap_printf(c, "%.*s", (int)sb.len, sb.data);
        }
        cap_printf(c, "\n");
    }
    rt_arena_destroy(arena);
    return true;
}

static bool cap_complete(void *arg, const char *tag, rt_err *err) {
    (void)err;
    cap_printf(arg, "%s\n", tag);
    return true;
}

static bool cap_empty(void *arg, rt_err *err) {
    (void)err;
    cap_printf(arg, "EMPTY\n");
    return true;
}

static void cap_notice(void *arg, const char *severity, const rt_err *n) {
    cap_printf(arg, "%s %s: %s\n", severity, n->sqlstate, n->message);
}

static const sql_sink cap_sink_proto = {
    .describe = cap_describe, .rows = cap_rows, .complete = cap_complete, .empty = cap_empty,
    .notice = cap_notice};

static bool sh_show_detail;

/* Runs one simple query; returns what the client would see. */
static inline const char *run(capture *c, const char *sql) {
    c->len = 0;
    c->out[0] = '\0';
    sql_sink sink = cap_sink_proto;
    sink.arg = c;
    rt_err err;
    rt_err_clear(&err);
    if (!sql_session_simple_query(c->s, sql, (uint32_t)strlen(sql), &sink, &err)) {
        cap_printf(c, "ERROR %s: %s\n", err.sqlstate, err.message);
        if (sh_show_detail && err.detail[0] != '\0') cap_printf(c, "DETAIL: %s\n", err.detail);
    }
    return c->out;
}

static _Atomic int mismatches;

/* Opens c's session as `user` with backend pid `pid`; a failure counts as a mismatch. */
static inline bool sh_open_as(capture *c, const char *user, uint32_t pid) {
    rt_err err;
    rt_err_clear(&err);
    sql_startup st = {.user = user, .database = "postgres", .backend_pid = pid};
    if (sql_session_open(&st, &c->s, &err)) return true;
    fprintf(stderr, "open as %s: %s\n", user, err.message);
    atomic_fetch_add(&mismatches, 1);
    return false;
}

/* Opens c's session as the bootstrap superuser; a failure counts as a mismatch. */
static inline bool sh_open(capture *c) { return sh_open_as(c, "postgres", 42); }

/* A session of the bootstrap superuser in a capture of its own (NULL, counted as a mismatch,
 * when it cannot be opened); sh_session_free closes and frees it. */
static inline capture *sh_session_new(void) {
    capture *c = calloc(1, sizeof *c);
    if (c == NULL || !sh_open(c)) {
        TEST_CHECK(c != NULL);
        free(c);
        return NULL;
    }
    return c;
}

static inline void sh_session_free(capture *c) {
    sql_session_close(c->s);
    free(c);
}

/* Counts a mismatch (and shows both texts) when `got` is not `want`. */
static inline void sh_check(const char *what, const char *got, const char *want) {
    if (strcmp(got, want) == 0) return;
    atomic_fetch_add(&mismatches, 1);
    fprintf(stderr, "MISMATCH for: %s\n--- want:\n%s--- got:\n%s---\n", what, want, got);
}

static inline void expect(capture *c, const char *sql, const char *want) {
    sh_check(sql, run(c, sql), want);
}

/* Counts a mismatch when EXPLAIN of `sql` lacks `want` or (when not NULL) shows `unwanted`. */
static inline void sh_plan_has(capture *c, const char *sql, const char *want,
                               const char *unwanted) {
    char q[512];
    if (sql[0] == '(') snprintf(q, sizeof q, "EXPLAIN (COSTS OFF, %s", sql + 1); /* options */
    else snprintf(q, sizeof q, "EXPLAIN (COSTS OFF) %s", sql);
    const char *got = run(c, q);
    if (strstr(got, want) == NULL || (unwanted != NULL && strstr(got, unwanted) != NULL)) {
        atomic_fetch_add(&mismatches, 1);
        fprintf(stderr, "PLAN of %s: want %s, got:\n%s", sql, want, got);
    }
}

/* The total cost EXPLAIN (COSTS ON) shows for the first table read of `sql` (-1: none). */
static inline double sh_plan_cost(capture *c, const char *sql) {
    char q[512];
    snprintf(q, sizeof q, "EXPLAIN (COSTS ON) %s", sql);
    const char *got = run(c, q);
    const char *scan = strstr(got, " Scan ");
    const char *at = scan != NULL ? strstr(scan, "(cost=") : NULL;
    at = at != NULL ? strstr(at, "..") : NULL;
    TEST_CHECK(at != NULL);
    return at != NULL ? strtod(at + 2, NULL) : -1;
}

/* ---- a statement in a fiber of its own (it may block), in session c ---- */

typedef struct sh_bg {
    capture *c;
    const char *sql;
    char out[OUT_BYTES];
    bool done;
} sh_bg;

static void sh_bg_fiber(void *arg) {
    sh_bg *bg = arg;
    snprintf(bg->out, sizeof bg->out, "%s", run(bg->c, bg->sql));
    bg->done = true;
}

/* Starts `sql` in the background and gives it 100 ms: it runs or blocks by then. */
static inline void sh_bg_launch(sh_bg *bg, capture *c, const char *sql) {
    bg->c = c;
    bg->sql = sql;
    bg->done = false;
    test_spawn(sh_bg_fiber, bg);
    rt_fiber_sleep_ns(100 * RT_NS_PER_MS);
}

/* Starts `sql` in the background and checks, 100 ms later, that it is blocked. */
static inline void sh_bg_start(sh_bg *bg, capture *c, const char *sql) {
    sh_bg_launch(bg, c, sql);
    TEST_CHECK(!bg->done); /* blocked */
}

/* Waits (up to 20 s) for `*done`, set by another fiber; checks that it was set. */
static inline void sh_wait_done(const bool *done) {
    for (uint32_t i = 0; i < 20000 && !*done; i++) rt_fiber_sleep_ns(RT_NS_PER_MS);
    TEST_CHECK(*done);
}

/* Waits (up to 20 s) for a background statement to finish. */
static inline void sh_bg_wait(sh_bg *bg) { sh_wait_done(&bg->done); }


/* ---- running a test's fiber over an engine ---- */

typedef void (*sh_script_fn)(capture *c);
typedef void (*sh_fiber_fn)(void *arg);

static sh_script_fn sh_script;
static sh_fiber_fn sh_main; /* runs on core 0 and ends with rt_runtime_stop() */

static void sh_fiber(void *arg) {
    (void)arg;
    static capture c;
    if (sh_open(&c)) {
        sh_script(&c);
        sql_session_close(c.s);
    }
    rt_runtime_stop();
}

static void sh_on_start(rt_loop *loop, void *arg) {
    (void)loop, (void)arg;
    rt_err err;
    rt_err_clear(&err);
    TEST_CHECK(eng_shard_start(&err));
    if (rt_core_id() == 0) test_spawn(sh_main, NULL);
}

static void sh_on_stop(rt_loop *loop, void *arg) {
    (void)loop, (void)arg;
    eng_shard_stop();
}

/* The test's data directory, /tmp/test_sql_<name>_<pid>, made empty; false if it cannot be. */
static inline bool sh_dir_fresh(char *dir, size_t size, const char *name) {
    char cmd[200];
    snprintf(dir, size, "/tmp/test_sql_%s_%d", name, (int)getpid());
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0;
}

static inline bool sh_dir_remove(const char *dir) {
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0;
}

/* Ends a forked run (sh_run_forked) by SIGKILL, a real kill -9, after leaving in dir/checks
 * whether its checks so far all held (a killed child has no exit status to say it). */
static inline void sh_kill9_now(const char *dir) {
    char path[192];
    snprintf(path, sizeof path, "%s/checks", dir);
    FILE *f = fopen(path, "w");
    if (f != NULL) {
        fprintf(f, "%d\n", atomic_load(&mismatches) + atomic_load(&test_check_failures));
        fclose(f);
    }
    fflush(NULL);
    kill(getpid(), SIGKILL);
}

/* In the parent: the child sh_kill9_now ended held all its checks. */
static inline bool sh_kill9_checks_held(const char *dir) {
    char path[192];
    snprintf(path, sizeof path, "%s/checks", dir);
    FILE *f = fopen(path, "r");
    int n = -1;
    if (f != NULL) {
        if (fscanf(f, "%d", &n) != 1) n = -1;
        fclose(f);
    }
    unlink(path);
    return n == 0;
}

/* Set: the engine stops without its shutdown checkpoint (the next start replays the WAL). */
static bool sh_no_stop_checkpoint;

/* Starts the engine over `dir` (what an earlier run left there is recovered: a restart), runs
 * `fiber` on core 0 of `shards`, stops; mismatches so far + failed checks (0 = all good). */
static inline int sh_run_fiber(const char *dir, uint32_t shards, sh_fiber_fn fiber) {
    sql_session_global_init();
    eng_ckpt_set_hooks(&eng_part_ann_ckpt_hooks);
    rt_err err;
    rt_err_clear(&err);
    eng_config cfg = {.data_dir = dir, .superuser = "postgres", .shard_count = shards,
                      .no_checkpoint_at_stop = sh_no_stop_checkpoint};
    if (!eng_start(&cfg, &err)) {
        fprintf(stderr, "engine start: %s\n", err.message);
        return 1;
    }
    sh_main = fiber;
    int checks = test_runtime_run(shards, sh_on_start, sh_on_stop, NULL);
    eng_stop();
    eng_ckpt_set_hooks(NULL);
    return checks + atomic_load(&mismatches);
}

#ifndef SH_SESSIONS
#define SH_SESSIONS 3 /* a test may define more before including this */
#endif
typedef void (*sh_sessions_fn)(capture *s[SH_SESSIONS]);
static sh_sessions_fn sh_sessions;

static void sh_sessions_fiber(void *arg) {
    (void)arg;
    capture *s[SH_SESSIONS] = {0};
    bool opened = true;
    for (uint32_t i = 0; i < SH_SESSIONS && opened; i++) {
        s[i] = sh_session_new();
        opened = s[i] != NULL;
    }
    TEST_CHECK(opened);
    if (opened) sh_sessions(s);
    for (uint32_t i = 0; i < SH_SESSIONS; i++) {
        if (s[i] != NULL) sh_session_free(s[i]);
    }
    rt_runtime_stop();
}

/* Runs `fn` with SH_SESSIONS sessions over a fresh engine in the test's own directory (see
 * sh_dir_fresh); mismatches + failed checks (0 = all good). */
static inline int sh_run_sessions(const char *name, uint32_t shards, sh_sessions_fn fn) {
    char dir[128];
    if (!sh_dir_fresh(dir, sizeof dir, name)) return 1;
    sh_sessions = fn;
    int r = sh_run_fiber(dir, shards, sh_sessions_fiber);
    return sh_dir_remove(dir) ? r : r + 1;
}

/* Runs `fn` in a session over an engine of `dir`, kept: a second run over it is a restart.
 * Mismatches + failed checks (0 = all good). */
static inline int sh_run_in(const char *dir, uint32_t shards, sh_script_fn fn) {
    sh_script = fn;
    return sh_run_fiber(dir, shards, sh_fiber);
}

/* Runs `fn` in a session over a fresh engine; mismatches + failed checks (0 = all good). */
static inline int sh_run(uint32_t shards, sh_script_fn fn) {
    char dir[128];
    if (!sh_dir_fresh(dir, sizeof dir, "session_h")) return 1;
    int r = sh_run_in(dir, shards, fn);
    return sh_dir_remove(dir) ? r : r + 1;
}

/* Runs `fn` as sh_run_fiber over `dir` (a fresh directory of its own when NULL: sh_run) in a
 * child process, its stderr into `log` when not NULL (replaced); 0 when all went well. */
static inline int sh_run_forked(const char *dir, uint32_t shards, sh_script_fn fn,
                                const char *log) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = log != NULL ? open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600) : -1;
        if (fd >= 0) dup2(fd, 2);
        sh_script = fn;
        _exit((dir != NULL ? sh_run_fiber(dir, shards, sh_fiber) : sh_run(shards, fn)) != 0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return 1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

#endif
