/* sql_session_cmd.c: what the executor asks of the session while it enforces foreign keys:
 * command ids for the statements it runs inside another, and deferred checks. Its own file so
 * that tests which stand in for the session with stubs of their own link without clashing. */
#include <string.h>

#include "sql/sql_fk.h"
#include "sql/sql_session_int.h"

uint32_t sql_session_take_command(sql_session *s) {
    if (s->command < ENG_TXN_COMMANDS_MAX) s->command++;
    return s->command;
}

bool sql_session_fk_is_deferred(sql_session *s, const eng_constraint *con) {
    if (!con->deferrable || !s->in_block) return false;
    const sql_fk_deferred *d = s->fk_deferred;
    if (d != NULL) {
        for (uint32_t i = d->nmodes; i > 0; i--) {
            if (d->mode_oid[i - 1] == con->oid) return d->mode[i - 1] > 0;
        }
        if (d->all != 0) return d->all > 0;
    }
    return con->deferred;
}

bool sql_session_fk_defer(sql_session *s, const sql_fk_deferred_ev *ev, rt_err *err) {
    (void)err;
    if (s->fk_deferred == NULL) s->fk_deferred = rt_xcalloc(1, sizeof(sql_fk_deferred));
    sql_fk_deferred *d = s->fk_deferred;
    if (d->count == d->cap) {
        d->cap = d->cap == 0 ? 16 : d->cap * 2;
        d->ev = rt_xrealloc(d->ev, d->cap * sizeof(sql_fk_deferred_ev));
    }
    sql_fk_deferred_ev *e = &d->ev[d->count++];
    *e = *ev;
    for (uint32_t i = 0; i < e->n; i++) {
        if (e->key[i].is_null || sql_phys_of_type(e->key[i].type_oid) != SQL_PHYS_BYTES) continue;
        uint8_t *copy = rt_xmalloc(e->key[i].b.len + 1u);
        if (e->key[i].b.len > 0) memcpy(copy, e->key[i].b.ptr, e->key[i].b.len);
        e->key[i].b.ptr = copy;
    }
    return true;
}
