/* sql_session_fk.c: deferred foreign-key checks of a transaction (sql_fk.h): SET CONSTRAINTS,
 * the checks run at COMMIT (a failure rolls the transaction back, as PostgreSQL's COMMIT
 * does) or when SET CONSTRAINTS ... IMMEDIATE ends the deferral, and their undo at ROLLBACK
 * (TO SAVEPOINT). */
#include <string.h>

#include "sql/sql_fk.h"
#include "sql/sql_session_int.h"

static void sql_session_fk_free_ev(sql_fk_deferred_ev *e) {
    for (uint32_t i = 0; i < e->n; i++) {
        if (e->key[i].is_null || sql_phys_of_type(e->key[i].type_oid) != SQL_PHYS_BYTES) continue;
        rt_free((void *)e->key[i].b.ptr);
    }
}

void sql_session_fk_reset(sql_session *s) {
    sql_fk_deferred *d = s->fk_deferred;
    if (d == NULL) return;
    for (uint32_t i = 0; i < d->count; i++) sql_session_fk_free_ev(&d->ev[i]);
    rt_free(d->ev);
    rt_free(d);
    s->fk_deferred = NULL;
}

void sql_session_fk_rollback_to(sql_session *s, uint32_t command) {
    sql_fk_deferred *d = s->fk_deferred;
    uint32_t kept = 0;
    for (uint32_t i = 0; d != NULL && i < d->count; i++) {
        if (d->ev[i].command >= command) {
            sql_session_fk_free_ev(&d->ev[i]);
        } else {
            d->ev[kept++] = d->ev[i];
        }
    }
    if (d != NULL) d->count = kept;
}

static const eng_constraint *sql_session_fk_con(const eng_database *db, uint32_t child_oid,
                                                uint32_t con_oid) {
    const eng_table *t = eng_db_table_by_oid(db, child_oid);
    for (uint32_t i = 0; t != NULL && i < t->constraint_count; i++) {
        if (t->constraints[i].oid == con_oid) return &t->constraints[i];
    }
    return NULL;
}

/* Runs the deferred checks (all of them, or those no longer deferred) and forgets them. */
static bool sql_session_fk_run(sql_session *s, bool all, rt_err *err) {
    sql_fk_deferred *d = s->fk_deferred;
    if (d == NULL || d->count == 0 || !s->txn_active) return true;
    rt_arena *arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    const struct sql_names *names = s->names;
    sql_stmt_env env;
    sql_session_env_open(s, arena, err, NULL, 0, &env);
    sql_exec_ctx x;
    sql_session_exec_ctx(s, arena, err, env.cat, env.db, NULL, 0, NULL, &x);
    bool ok = true;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < d->count; i++) {
        sql_fk_deferred_ev *e = &d->ev[i];
        const eng_constraint *con = sql_session_fk_con(env.db, e->child_oid, e->con_oid);
        bool run = ok && (all || con == NULL || !sql_session_fk_is_deferred(s, con));
        if (!run) {
            d->ev[kept++] = *e;
            continue;
        }
        ok = sql_fk_run_deferred(&x, e);
        sql_session_fk_free_ev(e);
    }
    d->count = kept;
    sql_session_env_close(&env);
    s->names = names;
    rt_arena_destroy(arena);
    return ok;
}

bool sql_session_fk_commit(sql_session *s, rt_err *err) {
    return sql_session_fk_run(s, true, err);
}

/* The oid of the constraint `name` (any table of the database), 42704 if none, 42809 if it
 * cannot be deferred. */
static bool sql_session_fk_find(sql_session *s, const char *name, uint32_t *oid, rt_err *err) {
    rt_arena *arena = rt_arena_create(1u << 20);
    sql_stmt_env env;
    sql_session_env_open(s, arena, err, NULL, 0, &env);
    const eng_constraint *found = NULL;
    for (uint32_t i = 0; found == NULL && i < env.db->table_count; i++) {
        const eng_table *t = &env.db->tables[i];
        for (uint32_t k = 0; found == NULL && k < t->constraint_count; k++) {
            if (strcmp(t->constraints[k].name, name) == 0) found = &t->constraints[k];
        }
    }
    bool ok = found != NULL && found->deferrable;
    if (found == NULL) {
        rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "constraint \"%s\" does not exist", name);
    } else if (!found->deferrable) {
        rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "constraint \"%s\" is not deferrable", name);
    } else {
        *oid = found->oid;
    }
    sql_session_env_close(&env);
    rt_arena_destroy(arena);
    return ok;
}

bool sql_session_set_constraints(sql_session *s, const sql_set *st, const sql_sink *sink,
                                 rt_err *err) {
    if (!s->in_block) {
        sql_session_notice(s, sink, "WARNING", SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                           "SET CONSTRAINTS can only be used in transaction blocks");
    }
    uint32_t oids[SQL_FK_PER_TABLE_MAX];
    if (st->values.count > SQL_FK_PER_TABLE_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "SET CONSTRAINTS names at most %u constraints", SQL_FK_PER_TABLE_MAX);
    }
    for (uint32_t i = 0; i < st->values.count; i++) {
        const sql_columnref *c = SQL_LIST_AT(st->values, i);
        if (!sql_session_fk_find(s, c->name.parts[0], &oids[i], err)) return false;
    }
    if (!s->in_block) return true;
    if (s->fk_deferred == NULL) s->fk_deferred = rt_xcalloc(1, sizeof(sql_fk_deferred));
    sql_fk_deferred *d = s->fk_deferred;
    int8_t mode = st->deferred ? 1 : -1;
    if (st->values.count == 0) {
        d->all = mode;
        d->nmodes = 0;
    }
    for (uint32_t i = 0; i < st->values.count; i++) {
        if (d->nmodes == SQL_FK_PER_TABLE_MAX) { /* the oldest setting makes room */
            memmove(d->mode_oid, d->mode_oid + 1, sizeof(uint32_t) * (d->nmodes - 1));
            memmove(d->mode, d->mode + 1, d->nmodes - 1);
            d->nmodes--;
        }
        d->mode_oid[d->nmodes] = oids[i];
        d->mode[d->nmodes++] = mode;
    }
    return st->deferred || sql_session_fk_run(s, false, err);
}
