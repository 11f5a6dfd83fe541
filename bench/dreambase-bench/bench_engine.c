/* bench_engine.c: N libpq connections driven by a few threads with epoll.
 * Each connection runs in pipeline mode, non-blocking: an op is PQsendQueryPrepared (or
 * PQsendQueryParams for unnamed statements) followed by PQpipelineSync, and its results come
 * back as (result, NULL, PIPELINE_SYNC); read_state walks those three. The latency of an op
 * runs from just before it is sent to just after its Sync is read, so it includes the
 * client's own queueing: the client CPU figures in the report show whether that mattered. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "bench/dreambase-bench/bench_int.h"
#include "runtime/rt_mem.h"
#include "runtime/rt_time.h"

enum { BENCH_READ_RESULT, BENCH_READ_END, BENCH_READ_SYNC };

/* epoll_wait's timeout while ops are in flight: bounds how late a deadline or a query
 * timeout is noticed. */
#define BENCH_POLL_MS 20

static uint64_t bench_thread_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * RT_NS_PER_S + (uint64_t)ts.tv_nsec;
}

void bench_class_fail(bench_class *c, uint64_t *counter, const char *fmt, ...) {
    (*counter)++;
    if (c->first_error[0] != '\0') return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->first_error, sizeof c->first_error, fmt, ap);
    va_end(ap);
    /* One line for the table: libpq's messages come with newlines and tabs. */
    size_t out = 0;
    for (size_t i = 0; c->first_error[i] != '\0'; i++) {
        char ch = c->first_error[i];
        if (ch == '\n' || ch == '\t' || ch == '\r') ch = ' ';
        if (ch == ' ' && (out == 0 || c->first_error[out - 1] == ' ')) continue;
        c->first_error[out++] = ch;
    }
    while (out > 0 && c->first_error[out - 1] == ' ') out--;
    c->first_error[out] = '\0';
}

/* ---- connections ------------------------------------------------------------------------- */

/* Server notices and warnings are worth seeing (pgvector says when an index build no longer
 * fits into maintenance_work_mem), once: from the first connection. The expected notice of
 * DROP TABLE IF EXISTS is hushed by the loader through engine->quiet. */
static void bench_conn_notice(void *arg, const PGresult *res) {
    const bench_conn *c = arg;
    const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (c->index != 0 || c->engine->quiet || severity == NULL) return;
    if (strcmp(severity, "WARNING") != 0 && strcmp(severity, "NOTICE") != 0) return;
    fprintf(stderr, "server: %s", PQresultErrorMessage(res));
}

static bool bench_conn_open(bench_engine *e, bench_conn *c, const char *dsn, uint32_t index,
                            rt_err *err) {
    /* expand_dbname = 1: the DSN may be a full connection string or URI. */
    const char *keys[] = {"dbname", "application_name", NULL};
    const char *values[] = {dsn, "dreambase-bench", NULL};
    memset(c, 0, sizeof *c);
    c->index = index;
    c->engine = e;
    c->pg = PQconnectdbParams(keys, values, 1);
    if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
        rt_err_set(err, SQLSTATE_SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
                   "could not connect to the server: %s",
                   c->pg != NULL ? PQerrorMessage(c->pg) : "out of memory");
        PQfinish(c->pg);
        c->pg = NULL;
        return false;
    }
    c->cancel = PQgetCancel(c->pg);
    c->fd = PQsocket(c->pg);
    PQsetNoticeReceiver(c->pg, bench_conn_notice, c);
    return true;
}

bool bench_engine_open(bench_engine *e, const bench_opts *opts, size_t scratch_bytes,
                       rt_err *err) {
    memset(e, 0, sizeof *e);
    e->opts = opts;
    e->conn_count = opts->concurrency;
    e->conns = rt_xcalloc(e->conn_count, sizeof(bench_conn));
    for (uint32_t i = 0; i < e->conn_count; i++) {
        if (!bench_conn_open(e, &e->conns[i], opts->dsn, i, err)) {
            e->conn_count = i;
            bench_engine_close(e);
            return false;
        }
    }
    uint32_t threads = opts->threads;
    if (threads == 0) {
        /* One engine thread per 64 connections, at most half the cores: the other half is
         * the server's when it runs on this machine. */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        uint32_t by_cores = cores > 2 ? (uint32_t)(cores / 2) : 1;
        threads = (e->conn_count + 63) / 64;
        if (threads > by_cores) threads = by_cores;
        if (threads > BENCH_THREADS_MAX) threads = BENCH_THREADS_MAX;
    }
    e->thread_count = threads;
    e->scratch_bytes = scratch_bytes;
    for (uint32_t t = 0; t < threads; t++) {
        bench_thread *th = &e->threads[t];
        th->engine = e;
        th->id = t;
        th->conns = rt_xcalloc(e->conn_count / threads + 1, sizeof(bench_conn *));
        for (uint32_t i = t; i < e->conn_count; i += threads) {
            th->conns[th->conn_count++] = &e->conns[i];
        }
        th->scratch = rt_xmalloc(scratch_bytes);
        th->fu_cap = 2 * th->conn_count * opts->pipeline + 2;
        th->followups = rt_xmalloc(th->fu_cap * sizeof(bench_op));
        bench_rng_seed(&th->rng, opts->seed, BENCH_STREAM_ENGINE, t);
        for (uint32_t k = 0; k < BENCH_CLASSES_MAX; k++) {
            bench_samples_init(&th->classes[k].latency, BENCH_SAMPLES_MAX, opts->seed + t * 7 + k);
        }
    }
    return true;
}

void bench_engine_close(bench_engine *e) {
    for (uint32_t i = 0; i < e->conn_count; i++) {
        if (e->conns[i].cancel != NULL) PQfreeCancel(e->conns[i].cancel);
        if (e->conns[i].result != NULL) PQclear(e->conns[i].result);
        PQfinish(e->conns[i].pg);
    }
    rt_free(e->conns);
    for (uint32_t t = 0; t < e->thread_count; t++) {
        bench_thread *th = &e->threads[t];
        rt_free(th->conns);
        rt_free(th->scratch);
        rt_free(th->followups);
        for (uint32_t k = 0; k < BENCH_CLASSES_MAX; k++) {
            bench_samples_free(&th->classes[k].latency);
        }
    }
    memset(e, 0, sizeof *e);
}

static uint32_t bench_engine_live(const bench_engine *e) {
    uint32_t live = 0;
    for (uint32_t i = 0; i < e->conn_count; i++) live += !e->conns[i].dead;
    return live;
}

static bench_conn *bench_engine_first_live(bench_engine *e) {
    for (uint32_t i = 0; i < e->conn_count; i++) {
        if (!e->conns[i].dead) return &e->conns[i];
    }
    return NULL;
}

static bool bench_exec_on(PGconn *pg, const char *sql, PGresult **out, rt_err *err) {
    PGresult *res = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        rt_err_set(err, state != NULL && strlen(state) == 5 ? state : SQLSTATE_CONNECTION_FAILURE,
                   "%s: %s", sql, PQerrorMessage(pg));
        PQclear(res);
        return false;
    }
    if (out != NULL) {
        *out = res;
    } else {
        PQclear(res);
    }
    return true;
}

bool bench_engine_exec(bench_engine *e, const char *sql, PGresult **res, rt_err *err) {
    bench_conn *c = bench_engine_first_live(e);
    if (c == NULL) {
        return rt_err_set(err, SQLSTATE_CONNECTION_FAILURE, "every connection has failed");
    }
    return bench_exec_on(c->pg, sql, res, err);
}

/* ---- sending ----------------------------------------------------------------------------- */

static void bench_conn_set_events(bench_thread *t, bench_conn *c, uint32_t events) {
    if (c->events == events) return;
    struct epoll_event ev = {.events = events, .data.ptr = c};
    int rc = epoll_ctl(t->epfd, c->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c->fd, &ev);
    RT_ASSERT(rc == 0);
    c->events = events;
}

/* Ends a connection that failed: its ops in flight count as errors of their class. */
static void bench_conn_fail(bench_thread *t, bench_conn *c, const char *what) {
    char msg[BENCH_ERROR_BYTES_MAX];
    snprintf(msg, sizeof msg, "%s: %s", what, PQerrorMessage(c->pg));
    for (uint32_t i = 0; i < c->inflight; i++) {
        const bench_op *op = &c->ops[(c->head + i) % BENCH_PIPELINE_MAX];
        bench_class *cls = &t->classes[op->cls];
        if (t->engine->record) {
            cls->ops++;
            bench_class_fail(cls, &cls->errors, "%s", msg);
        }
        t->engine->step->complete(t->engine->step, t, op, NULL, false);
    }
    c->inflight = 0;
    c->dead = true;
    t->live--;
    if (c->result != NULL) PQclear(c->result);
    c->result = NULL;
    if (c->events != 0) epoll_ctl(t->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    c->events = 0;
}

/* Takes the first queued follow-up that may run on `c` (not the connection it checks, when
 * the thread has another one), keeping the queue's order otherwise. */
static bool bench_thread_take_followup(bench_thread *t, const bench_conn *c, bench_op *op) {
    for (uint32_t i = 0; i < t->fu_count; i++) {
        uint32_t at = (t->fu_head + i) % t->fu_cap;
        if (t->followups[at].origin == c->index && t->live > 1) continue;
        *op = t->followups[at];
        for (uint32_t j = i; j > 0; j--) { /* close the gap: shift the earlier ones up */
            t->followups[(t->fu_head + j) % t->fu_cap] =
                t->followups[(t->fu_head + j - 1) % t->fu_cap];
        }
        t->fu_head = (t->fu_head + 1) % t->fu_cap;
        t->fu_count--;
        return true;
    }
    return false;
}

void bench_thread_followup(bench_thread *t, const bench_op *op) {
    RT_ASSERT(t->fu_count < t->fu_cap);
    t->followups[(t->fu_head + t->fu_count) % t->fu_cap] = *op;
    t->fu_count++;
}

/* The next op for connection c: a follow-up first, else a new op within the budget. */
static bool bench_thread_next(bench_thread *t, bench_conn *c, bench_op *op, bench_params *p) {
    bench_engine *e = t->engine;
    memset(p, 0, sizeof *p);
    if (bench_thread_take_followup(t, c, op)) {
        bool ok = e->step->issue(e->step, t, op, p);
        RT_ASSERT(ok);
        return true;
    }
    /* New ops only while the follow-up queue has room for what they may cause. */
    if (!t->issuing || t->fu_count >= t->fu_cap / 2) return false;
    if (e->deadline_ns != 0 && rt_time_mono_ns() >= e->deadline_ns) {
        t->issuing = false;
        return false;
    }
    if (e->count != 0 && atomic_fetch_add(&e->issued, 1) >= e->count) {
        t->issuing = false;
        return false;
    }
    memset(op, 0, sizeof *op);
    op->origin = BENCH_NO_ORIGIN;
    if (!e->step->issue(e->step, t, op, p)) {
        t->issuing = false;
        return false;
    }
    return true;
}

static bool bench_conn_send(bench_thread *t, bench_conn *c, bench_op *op, bench_params *p) {
    bench_engine *e = t->engine;
    const bench_stmt *s = &e->step->stmts[op->stmt];
    RT_ASSERT(p->count == s->param_count);
    op->start_ns = rt_time_mono_ns();
    op->cancel_sent = false;
    op->conn = c->index;
    int ok = s->prepared
                 ? PQsendQueryPrepared(c->pg, e->statement_names[op->stmt], p->count, p->values,
                                       p->lengths, p->formats, 0)
                 : PQsendQueryParams(c->pg, s->sql, p->count, NULL, p->values, p->lengths,
                                     p->formats, 0);
    if (!ok || !PQpipelineSync(c->pg)) return false;
    c->ops[(c->head + c->inflight) % BENCH_PIPELINE_MAX] = *op;
    c->inflight++;
    return true;
}

/* ---- receiving --------------------------------------------------------------------------- */

static void bench_conn_finish_op(bench_thread *t, bench_conn *c) {
    bench_engine *e = t->engine;
    bench_op op = c->ops[c->head];
    c->head = (c->head + 1) % BENCH_PIPELINE_MAX;
    c->inflight--;
    uint64_t ns = rt_time_mono_ns() - op.start_ns;
    PGresult *res = c->result;
    c->result = NULL;
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
    bench_class *cls = &t->classes[op.cls];
    if (e->record) {
        cls->ops++;
        if (ok) {
            bench_samples_add(&cls->latency, ns);
        } else {
            const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            bench_class_fail(cls, &cls->errors, "%s (SQLSTATE %s)",
                             msg != NULL ? msg : "no error message", state != NULL ? state : "?");
        }
    }
    e->step->complete(e->step, t, &op, res, ok);
    PQclear(res);
}

/* Reads every complete result libpq has buffered. */
static void bench_conn_drain(bench_thread *t, bench_conn *c) {
    while (c->inflight > 0 && !c->dead && !PQisBusy(c->pg)) {
        PGresult *r = PQgetResult(c->pg);
        switch (c->read_state) {
        case BENCH_READ_RESULT:
            if (r == NULL) return; /* nothing parsed yet: wait for input */
            c->result = r;
            c->read_state = BENCH_READ_END;
            break;
        case BENCH_READ_END:
            if (r != NULL) { /* a statement has one result; keep the first */
                PQclear(r);
                break;
            }
            c->read_state = BENCH_READ_SYNC;
            break;
        case BENCH_READ_SYNC:
            if (r == NULL) return;
            if (PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
                PQclear(r);
                bench_conn_fail(t, c, "protocol out of step (expected the end of a pipeline)");
                return;
            }
            PQclear(r);
            c->read_state = BENCH_READ_RESULT;
            bench_conn_finish_op(t, c);
            break;
        }
    }
}

static void bench_conn_flush(bench_thread *t, bench_conn *c) {
    int rc = PQflush(c->pg);
    if (rc < 0) {
        bench_conn_fail(t, c, "could not send");
        return;
    }
    bench_conn_set_events(t, c, EPOLLIN | (rc == 1 ? EPOLLOUT : 0));
    /* A flush that could not write may have read input into libpq's buffer instead, which
     * epoll will never report: look at it now. */
    bench_conn_drain(t, c);
}

static void bench_conn_on_event(bench_thread *t, bench_conn *c, uint32_t events) {
    if (c->dead) return;
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        if (!PQconsumeInput(c->pg)) {
            bench_conn_fail(t, c, "connection lost");
            return;
        }
        bench_conn_drain(t, c);
    }
    if (!c->dead && (events & EPOLLOUT)) bench_conn_flush(t, c);
}

/* Cancels ops older than --timeout (once each); the server then ends them with 57014. */
static void bench_thread_check_timeouts(bench_thread *t, uint64_t now) {
    for (uint32_t i = 0; i < t->conn_count; i++) {
        bench_conn *c = t->conns[i];
        if (c->dead || c->inflight == 0) continue;
        bench_op *op = &c->ops[c->head];
        uint64_t age = now - op->start_ns;
        if (op->cancel_sent && age > 2 * t->engine->timeout_ns) {
            bench_conn_fail(t, c, "query did not end after it was cancelled");
            continue;
        }
        if (op->cancel_sent || age < t->engine->timeout_ns) continue;
        char buf[256];
        op->cancel_sent = true;
        if (c->cancel != NULL) PQcancel(c->cancel, buf, sizeof buf);
    }
}

/* ---- a phase ----------------------------------------------------------------------------- */

static bool bench_thread_fill(bench_thread *t, bench_conn *c) {
    uint32_t pipeline = t->engine->opts->pipeline;
    bool sent = false;
    while (!c->dead && c->inflight < pipeline) {
        bench_op op;
        bench_params p;
        if (!bench_thread_next(t, c, &op, &p)) break;
        if (!bench_conn_send(t, c, &op, &p)) {
            /* The op was never sent: put it back into the books as a failure. */
            c->ops[(c->head + c->inflight) % BENCH_PIPELINE_MAX] = op;
            c->inflight++;
            bench_conn_fail(t, c, "could not send a query");
            break;
        }
        sent = true;
    }
    return sent;
}

static uint32_t bench_thread_inflight(const bench_thread *t) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->conn_count; i++) n += t->conns[i]->dead ? 0 : t->conns[i]->inflight;
    return n;
}

static void bench_thread_enter(bench_thread *t) {
    t->live = 0;
    for (uint32_t i = 0; i < t->conn_count; i++) {
        bench_conn *c = t->conns[i];
        if (c->dead) continue;
        t->live++;
        c->head = c->inflight = 0;
        c->read_state = BENCH_READ_RESULT;
        c->events = 0;
        if (PQsetnonblocking(c->pg, 1) != 0 || !PQenterPipelineMode(c->pg)) {
            bench_conn_fail(t, c, "could not enter pipeline mode");
            continue;
        }
        bench_conn_set_events(t, c, EPOLLIN);
    }
}

static void bench_thread_leave(bench_thread *t) {
    for (uint32_t i = 0; i < t->conn_count; i++) {
        bench_conn *c = t->conns[i];
        if (c->dead) continue;
        if (c->events != 0) epoll_ctl(t->epfd, EPOLL_CTL_DEL, c->fd, NULL);
        c->events = 0;
        if (!PQexitPipelineMode(c->pg) || PQsetnonblocking(c->pg, 0) != 0) {
            bench_conn_fail(t, c, "could not leave pipeline mode");
        }
    }
}

static void *bench_thread_main(void *arg) {
    bench_thread *t = arg;
    uint64_t cpu0 = bench_thread_cpu_ns();
    t->epfd = epoll_create1(EPOLL_CLOEXEC);
    RT_ASSERT(t->epfd >= 0);
    bench_thread_enter(t);
    struct epoll_event events[64];
    for (;;) {
        for (uint32_t i = 0; i < t->conn_count; i++) {
            bench_conn *c = t->conns[i];
            if (!c->dead && bench_thread_fill(t, c)) bench_conn_flush(t, c);
        }
        if (t->live == 0) break; /* its queued follow-ups die with the connections */
        if (!t->issuing && t->fu_count == 0 && bench_thread_inflight(t) == 0) break;
        int n = epoll_wait(t->epfd, events, 64, BENCH_POLL_MS);
        for (int i = 0; i < n; i++) bench_conn_on_event(t, events[i].data.ptr, events[i].events);
        bench_thread_check_timeouts(t, rt_time_mono_ns());
    }
    bench_thread_leave(t);
    close(t->epfd);
    t->cpu_ns = bench_thread_cpu_ns() - cpu0;
    return NULL;
}

static void bench_engine_phase(bench_engine *e, bench_step *step, uint64_t duration_ns,
                               uint64_t count, bool record) {
    e->step = step;
    e->record = record;
    e->count = count;
    atomic_store(&e->issued, 0);
    e->deadline_ns = duration_ns != 0 ? rt_time_mono_ns() + duration_ns : 0;
    e->timeout_ns = (uint64_t)(e->opts->timeout_s * 1e9);
    for (uint32_t t = 0; t < e->thread_count; t++) {
        bench_thread *th = &e->threads[t];
        th->issuing = true;
        th->fu_head = th->fu_count = 0;
        for (uint32_t k = 0; k < BENCH_CLASSES_MAX; k++) {
            bench_class *c = &th->classes[k];
            bench_samples saved = c->latency;
            memset(c, 0, sizeof *c);
            c->latency = saved;
            bench_samples_reset(&c->latency);
        }
    }
    for (uint32_t t = 0; t < e->thread_count; t++) {
        RT_ASSERT(pthread_create(&e->threads[t].tid, NULL, bench_thread_main, &e->threads[t]) == 0);
    }
    for (uint32_t t = 0; t < e->thread_count; t++) pthread_join(e->threads[t].tid, NULL);
}

/* Prepares the step's statements on every live connection and applies its settings. */
static bool bench_engine_setup(bench_engine *e, bench_step *step, rt_err *err) {
    e->serial++;
    for (uint32_t s = 0; s < step->stmt_count; s++) {
        snprintf(e->statement_names[s], sizeof e->statement_names[s], "dbb_%llu_%u",
                 (unsigned long long)e->serial, s);
    }
    for (uint32_t i = 0; i < e->conn_count; i++) {
        bench_conn *c = &e->conns[i];
        if (c->dead) continue;
        for (uint32_t k = 0; k < step->setup_count; k++) {
            rt_err soft;
            rt_err_clear(&soft);
            if (bench_exec_on(c->pg, step->setup[k], NULL, &soft)) continue;
            if (!step->setup_optional[k]) return rt_err_set(err, soft.sqlstate, "%s", soft.message);
            if (i == 0) fprintf(stderr, "warning: %s\n", soft.message);
        }
        for (uint32_t s = 0; s < step->stmt_count; s++) {
            if (!step->stmts[s].prepared) continue;
            PGresult *res = PQprepare(c->pg, e->statement_names[s], step->stmts[s].sql,
                                      step->stmts[s].param_count, NULL);
            if (PQresultStatus(res) != PGRES_COMMAND_OK) {
                const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
                rt_err_set(err, state != NULL ? state : SQLSTATE_CONNECTION_FAILURE,
                           "could not prepare \"%s\": %s", step->stmts[s].sql,
                           PQerrorMessage(c->pg));
                PQclear(res);
                return false;
            }
            PQclear(res);
        }
    }
    return true;
}

static void bench_engine_merge(bench_engine *e, bench_measure *m) {
    for (uint32_t k = 0; k < BENCH_CLASSES_MAX; k++) {
        bench_class *dst = &m->classes[k];
        memset(dst, 0, sizeof *dst);
        bench_samples_init(&dst->latency, 1, e->opts->seed);
        dst->latency.limit = 0;
        for (uint32_t t = 0; t < e->thread_count; t++) {
            const bench_class *src = &e->threads[t].classes[k];
            bench_samples_merge(&dst->latency, &src->latency);
            dst->ops += src->ops;
            dst->errors += src->errors;
            dst->short_results += src->short_results;
            dst->wrong_rows += src->wrong_rows;
            dst->freshness_errors += src->freshness_errors;
            dst->index_misses += src->index_misses;
            dst->recall_sum += src->recall_sum;
            dst->recall_count += src->recall_count;
            if (dst->first_error[0] == '\0') {
                memcpy(dst->first_error, src->first_error, sizeof dst->first_error);
            }
        }
    }
}

void bench_measure_free(bench_measure *m) {
    for (uint32_t k = 0; k < BENCH_CLASSES_MAX; k++) bench_samples_free(&m->classes[k].latency);
}

void bench_server_sample(const bench_opts *opts, bench_proc_usage *u) {
    rt_err err;
    rt_err_clear(&err);
    if (opts->server_pid != 0 && bench_proc_sample(opts->server_pid, u, &err)) return;
    if (opts->server_pid != 0) fprintf(stderr, "warning: %s\n", err.message);
    u->cpu_ticks = UINT64_MAX; /* no sample */
}

void bench_server_usage(const bench_proc_usage *u0, const bench_proc_usage *u1, double wall_s,
                        double *cpu_pct, double *memory_mb) {
    *cpu_pct = *memory_mb = NAN;
    if (u0->cpu_ticks == UINT64_MAX || u1->cpu_ticks == UINT64_MAX || wall_s <= 0) return;
    /* A backend that ended unreaped between the samples takes its ticks with it. */
    uint64_t used = u1->cpu_ticks > u0->cpu_ticks ? u1->cpu_ticks - u0->cpu_ticks : 0;
    *cpu_pct = 100.0 * (double)used / (double)sysconf(_SC_CLK_TCK) / wall_s;
    *memory_mb = (double)u1->memory_kb / 1024.0;
}

bool bench_engine_run(bench_engine *e, bench_step *step, double warmup_s, double duration_s,
                      uint64_t count, bench_measure *out, rt_err *err) {
    memset(out, 0, sizeof *out);
    if (bench_engine_live(e) == 0) {
        return rt_err_set(err, SQLSTATE_CONNECTION_FAILURE, "every connection has failed");
    }
    if (!bench_engine_setup(e, step, err)) return false;
    if (warmup_s > 0) bench_engine_phase(e, step, (uint64_t)(warmup_s * 1e9), 0, false);
    bench_proc_usage u0, u1;
    bench_server_sample(e->opts, &u0);
    uint64_t start = rt_time_mono_ns();
    bench_engine_phase(e, step, count != 0 ? 0 : (uint64_t)(duration_s * 1e9), count, true);
    out->wall_s = (double)(rt_time_mono_ns() - start) / 1e9;
    bench_server_sample(e->opts, &u1);
    bench_engine_merge(e, out);
    double cpu_max = 0;
    for (uint32_t t = 0; t < e->thread_count; t++) {
        out->client_cpu_s += (double)e->threads[t].cpu_ns / 1e9;
        cpu_max = fmax(cpu_max, (double)e->threads[t].cpu_ns / 1e9);
    }
    out->client_cpu_max_pct = out->wall_s > 0 ? 100.0 * cpu_max / out->wall_s : NAN;
    bench_server_usage(&u0, &u1, out->wall_s, &out->server_cpu_pct, &out->server_rss_mb);
    return true;
}

bool bench_engine_drain(bench_engine *e, bench_step *step, rt_err *err) {
    if (bench_engine_live(e) == 0) {
        return rt_err_set(err, SQLSTATE_CONNECTION_FAILURE, "every connection has failed");
    }
    if (!bench_engine_setup(e, step, err)) return false;
    bench_engine_phase(e, step, 0, 0, false);
    return true;
}
