/* sql_notify.c: LISTEN / UNLISTEN / NOTIFY. A process-wide registry of (session, channel)
 * listens; each listening session has a queue that notifiers on any shard append to when
 * their transaction commits; the protocol layer takes notifications from the queue between
 * transactions (before ReadyForQuery, and while the connection waits for its next message).
 * Limits: SQL_NOTIFY_LISTENS_MAX listens in the server (53200 past it),
 * SQL_NOTIFY_QUEUE_MAX undelivered notifications per session (older ones are dropped, with a
 * log line: a listener that never reads must not hold the server's memory),
 * SQL_NOTIFY_PAYLOAD_BYTES_MAX per payload (22023, as PostgreSQL's 8000 bytes),
 * SQL_NOTIFY_ACTIONS_MAX LISTEN / UNLISTENs waiting for their transaction's commit (54000). */
#include <stdio.h>
#include <string.h>

#include <ck_spinlock.h>

#include "runtime/rt_log.h"
#include "runtime/rt_mem.h"
#include "sql/sql_session_int.h"

#define SQL_NOTIFY_LISTENS_MAX 4096u
#define SQL_NOTIFY_QUEUE_MAX 1024u
#define SQL_NOTIFY_PAYLOAD_BYTES_MAX 7999u
#define SQL_NOTIFY_PENDING_MAX 1024u
#define SQL_NOTIFY_ACTIONS_MAX 256u

typedef struct sql_notification {
    uint32_t pid;
    char channel[ENG_NAME_BYTES];
    char *payload;
} sql_notification;

struct sql_notify_state {
    ck_spinlock_t lock;                       /* the queue: notifiers on other shards */
    sql_notification queue[SQL_NOTIFY_QUEUE_MAX];
    uint32_t head, count;
    uint64_t dropped;
    sql_notification pending[SQL_NOTIFY_PENDING_MAX]; /* this transaction's NOTIFYs */
    uint32_t npending;
    struct {                                  /* this transaction's LISTEN / UNLISTENs */
        bool listen;
        bool all;                             /* UNLISTEN * */
        char channel[ENG_NAME_BYTES];
    } actions[SQL_NOTIFY_ACTIONS_MAX];
    uint32_t nactions;
    uint32_t listens;                         /* channels this session listens to */
};

typedef struct sql_listen_entry {
    sql_session *s;                           /* NULL: free */
    char channel[ENG_NAME_BYTES];
} sql_listen_entry;

static ck_spinlock_t sql_listen_lock = CK_SPINLOCK_INITIALIZER;
static sql_listen_entry sql_listens[SQL_NOTIFY_LISTENS_MAX];

static struct sql_notify_state *sql_notify_state_of(sql_session *s) {
    if (s->notify == NULL) {
        s->notify = rt_xcalloc(1, sizeof *s->notify);
        ck_spinlock_init(&s->notify->lock);
    }
    return s->notify;
}

static bool sql_notify_listen(sql_session *s, const char *channel, rt_err *err) {
    struct sql_notify_state *ns = sql_notify_state_of(s);
    bool ok = true, found = false;
    sql_listen_entry *free_slot = NULL;
    ck_spinlock_lock(&sql_listen_lock);
    for (uint32_t i = 0; i < SQL_NOTIFY_LISTENS_MAX && !found; i++) {
        sql_listen_entry *l = &sql_listens[i];
        if (l->s == NULL && free_slot == NULL) free_slot = l;
        found = l->s == s && strcmp(l->channel, channel) == 0;
    }
    if (!found && free_slot == NULL) {
        ok = false;
    } else if (!found) {
        free_slot->s = s;
        snprintf(free_slot->channel, sizeof free_slot->channel, "%s", channel);
        ns->listens++;
    }
    ck_spinlock_unlock(&sql_listen_lock);
    if (!ok) {
        rt_err_set(err, SQLSTATE_OUT_OF_MEMORY, "too many listens in the server (limit %u)",
                   SQL_NOTIFY_LISTENS_MAX);
    }
    return ok;
}

void sql_notify_unlisten(sql_session *s, const char *channel) {
    if (s->notify == NULL) return;
    ck_spinlock_lock(&sql_listen_lock);
    for (uint32_t i = 0; i < SQL_NOTIFY_LISTENS_MAX; i++) {
        sql_listen_entry *l = &sql_listens[i];
        if (l->s != s || (channel != NULL && strcmp(l->channel, channel) != 0)) continue;
        l->s = NULL;
        s->notify->listens--;
    }
    ck_spinlock_unlock(&sql_listen_lock);
}

bool sql_notify_listen_stmt(sql_session *s, const char *channel, bool listen, rt_err *err) {
    if (!s->in_block && !s->implicit_multi) {
        if (listen) return sql_notify_listen(s, channel, err);
        sql_notify_unlisten(s, channel);
        return true;
    }
    struct sql_notify_state *ns = sql_notify_state_of(s);
    if (ns->nactions == SQL_NOTIFY_ACTIONS_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "too many LISTEN and UNLISTEN commands in one transaction (limit %u)",
                          SQL_NOTIFY_ACTIONS_MAX);
    }
    uint32_t k = ns->nactions++;
    ns->actions[k].listen = listen;
    ns->actions[k].all = channel == NULL;
    snprintf(ns->actions[k].channel, sizeof ns->actions[k].channel, "%s",
             channel != NULL ? channel : "");
    return true;
}

/* At commit, in the order given. A LISTEN that finds the server's registry full cannot fail
 * the transaction that already committed: it is logged. */
static void sql_notify_apply_actions(sql_session *s) {
    struct sql_notify_state *ns = s->notify;
    for (uint32_t k = 0; k < ns->nactions; k++) {
        const char *channel = ns->actions[k].all ? NULL : ns->actions[k].channel;
        if (!ns->actions[k].listen) {
            sql_notify_unlisten(s, channel);
            continue;
        }
        rt_err err;
        rt_err_clear(&err);
        if (!sql_notify_listen(s, channel, &err)) {
            rt_log(RT_LOG_WARNING, NULL, "session %u: LISTEN \"%s\" not applied at commit: %s",
                   s->backend_pid, channel, err.message);
        }
    }
}

void sql_notify_mark(const sql_session *s, uint32_t *pending, uint32_t *actions) {
    *pending = s->notify != NULL ? s->notify->npending : 0;
    *actions = s->notify != NULL ? s->notify->nactions : 0;
}

void sql_notify_rollback_to(sql_session *s, uint32_t pending, uint32_t actions) {
    struct sql_notify_state *ns = s->notify;
    if (ns == NULL) return;
    RT_ASSERT(pending <= ns->npending);
    RT_ASSERT(actions <= ns->nactions);
    for (uint32_t k = pending; k < ns->npending; k++) rt_free(ns->pending[k].payload);
    ns->npending = pending;
    ns->nactions = actions;
}

bool sql_notify_add(sql_session *s, const char *channel, const char *payload, rt_err *err) {
    if (channel[0] == '\0') {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "channel name cannot be empty");
    }
    if (payload != NULL && strlen(payload) > SQL_NOTIFY_PAYLOAD_BYTES_MAX) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "payload string too long");
    }
    struct sql_notify_state *ns = sql_notify_state_of(s);
    const char *pl = payload != NULL ? payload : "";
    for (uint32_t i = 0; i < ns->npending; i++) { /* once per transaction, as PostgreSQL */
        if (strcmp(ns->pending[i].channel, channel) == 0 &&
            strcmp(ns->pending[i].payload, pl) == 0) {
            return true;
        }
    }
    if (ns->npending == SQL_NOTIFY_PENDING_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "too many notifications in one transaction (limit %u)",
                          SQL_NOTIFY_PENDING_MAX);
    }
    sql_notification *n = &ns->pending[ns->npending++];
    n->pid = s->backend_pid;
    snprintf(n->channel, sizeof n->channel, "%s", channel);
    size_t len = strlen(pl);
    n->payload = rt_xmalloc(len + 1);
    memcpy(n->payload, pl, len + 1);
    return true;
}

/* Appends a copy of `n` to listener `to`'s queue (the registry lock is held, so `to` lives). */
static void sql_notify_deliver(sql_session *to, const sql_notification *n) {
    struct sql_notify_state *q = to->notify;
    ck_spinlock_lock(&q->lock);
    if (q->count == SQL_NOTIFY_QUEUE_MAX) {
        sql_notification *old = &q->queue[q->head];
        rt_free(old->payload);
        q->head = (q->head + 1) % SQL_NOTIFY_QUEUE_MAX;
        q->count--;
        q->dropped++;
    }
    sql_notification *slot = &q->queue[(q->head + q->count) % SQL_NOTIFY_QUEUE_MAX];
    *slot = *n;
    size_t len = strlen(n->payload);
    slot->payload = rt_xmalloc(len + 1);
    memcpy(slot->payload, n->payload, len + 1);
    q->count++;
    ck_spinlock_unlock(&q->lock);
}

void sql_notify_end(sql_session *s, bool committed) {
    struct sql_notify_state *ns = s->notify;
    if (ns == NULL) return;
    if (committed) sql_notify_apply_actions(s);
    ns->nactions = 0;
    if (ns->npending == 0) return;
    if (committed) {
        ck_spinlock_lock(&sql_listen_lock);
        for (uint32_t i = 0; i < SQL_NOTIFY_LISTENS_MAX; i++) {
            sql_listen_entry *l = &sql_listens[i];
            if (l->s == NULL) continue;
            for (uint32_t k = 0; k < ns->npending; k++) {
                if (strcmp(l->channel, ns->pending[k].channel) == 0) {
                    sql_notify_deliver(l->s, &ns->pending[k]);
                }
            }
        }
        ck_spinlock_unlock(&sql_listen_lock);
    }
    for (uint32_t k = 0; k < ns->npending; k++) rt_free(ns->pending[k].payload);
    ns->npending = 0;
}

void sql_notify_free(sql_session *s) {
    if (s->notify == NULL) return;
    sql_notify_unlisten(s, NULL); /* after this no notifier can reach the queue */
    sql_notify_end(s, false);
    struct sql_notify_state *q = s->notify;
    for (uint32_t i = 0; i < q->count; i++) {
        rt_free(q->queue[(q->head + i) % SQL_NOTIFY_QUEUE_MAX].payload);
    }
    if (q->dropped > 0) {
        rt_log(RT_LOG_WARNING, NULL, "session %u dropped %llu notifications it never read",
               s->backend_pid, (unsigned long long)q->dropped);
    }
    rt_free(q);
    s->notify = NULL;
}

bool sql_notify_listening(const sql_session *s) {
    return s->notify != NULL && (s->notify->listens > 0 || s->notify->count > 0);
}

bool sql_notify_channels(sql_session *s, rt_arena *arena, const char ***names, uint32_t *count) {
    *count = 0;
    *names = NULL;
    if (s->notify == NULL || s->notify->listens == 0) return true;
    bool ok = true;
    ck_spinlock_lock(&sql_listen_lock);
    *names = rt_arena_alloc(arena, sizeof(char *) * s->notify->listens);
    for (uint32_t i = 0; i < SQL_NOTIFY_LISTENS_MAX && *names != NULL && ok; i++) {
        if (sql_listens[i].s != s) continue;
        char *name = rt_arena_strdup(arena, sql_listens[i].channel);
        ok = name != NULL;
        if (ok) (*names)[(*count)++] = name;
    }
    ck_spinlock_unlock(&sql_listen_lock);
    return ok && *names != NULL;
}

bool sql_notify_next(sql_session *s, uint32_t *pid, char channel[64], char **payload) {
    struct sql_notify_state *q = s->notify;
    if (q == NULL || s->in_block) return false; /* delivered between transactions */
    ck_spinlock_lock(&q->lock);
    bool any = q->count > 0;
    if (any) {
        sql_notification *n = &q->queue[q->head];
        *pid = n->pid;
        snprintf(channel, 64, "%s", n->channel);
        *payload = n->payload;
        q->head = (q->head + 1) % SQL_NOTIFY_QUEUE_MAX;
        q->count--;
    }
    ck_spinlock_unlock(&q->lock);
    return any;
}
