/* sql_session_role.c: who the session is. SET ROLE / RESET ROLE change the current role
 * (current_user, whose privileges statements use) to a role the session user is a member of;
 * SET SESSION AUTHORIZATION, for a session that authenticated as a superuser, changes the
 * session user too. The checks of planned statements' privileges start here. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sql/sql_acl.h"
#include "sql/sql_session_int.h"

bool sql_session_check_privs(const sql_session *s, const eng_catalog *cat,
                             const eng_database *db, const sql_query *q, rt_err *err) {
    if (s->superuser || q->nacl_reqs == 0) return true; /* the default path: one flag test */
    return sql_acl_check_reqs(cat, db, s->user_oid, q->acl_reqs, q->nacl_reqs, err);
}

/* Makes `r` the current role (and the session user too when `session`). */
static void sql_session_become(sql_session *s, const eng_role *r, bool session) {
    snprintf(s->user, sizeof s->user, "%s", r->name);
    s->user_oid = r->oid;
    s->superuser = r->superuser;
    if (session) {
        snprintf(s->session_user, sizeof s->session_user, "%s", r->name);
        s->session_user_oid = r->oid;
    }
    sql_guc_store(s, (uint32_t)sql_guc_find("is_superuser"), s->superuser ? "on" : "off");
    sql_guc_store(s, (uint32_t)sql_guc_find("session_authorization"), s->session_user);
}

/* The role named `name` (as SET gives it) in the current catalog, or 42704. */
static bool sql_session_role_named(const eng_catalog *cat, const char *name,
                                   const eng_role **out, rt_err *err) {
    *out = eng_catalog_role_by_name(cat, name);
    if (*out != NULL) return true;
    return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist", name);
}

bool sql_session_set_role(sql_session *s, const sql_set *st, const char *value, rt_err *err) {
    bool session = strcmp(st->name, "session_authorization") == 0;
    bool reset = st->set_kind == SQL_SET_RESET || st->set_kind == SQL_SET_DEFAULT ||
                 (!session && value != NULL && strcasecmp(value, "none") == 0);
    eng_catalog_ref pin;
    eng_catalog_pin(&pin);
    const eng_catalog *cat = s->txn.draft != NULL ? s->txn.draft : pin.catalog;
    const eng_role *r = NULL;
    bool ok = true;
    if (session && !s->auth_superuser && !reset) {
        ok = rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                        "permission denied to set session authorization \"%s\"", value);
    } else if (reset) {
        uint32_t to = session ? s->auth_user_oid : s->session_user_oid;
        r = eng_catalog_role_by_oid(cat, to);
        if (r == NULL) ok = rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "role does not exist");
    } else if ((ok = sql_session_role_named(cat, value, &r, err)) && !session &&
               !sql_acl_is_member(cat, s->session_user_oid, r->oid)) {
        ok = rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied to set role "
                        "\"%s\"", r->name);
    }
    if (ok && s->in_block && !s->role_saved) {
        s->role_saved = true;
        s->saved_user_oid = s->user_oid;
        s->saved_session_oid = s->session_user_oid;
    }
    if (ok && s->in_block && st->is_local) s->role_local = true;
    if (ok) sql_session_become(s, r, session);
    eng_catalog_unpin(&pin);
    return ok;
}

/* Makes roles `user` and `session` current again (roles dropped meanwhile: the
 * authenticated one). */
static void sql_session_restore(sql_session *s, uint32_t user, uint32_t session) {
    eng_catalog_ref pin;
    eng_catalog_pin(&pin);
    const eng_role *su = eng_catalog_role_by_oid(pin.catalog, session);
    const eng_role *cu = eng_catalog_role_by_oid(pin.catalog, user);
    if (su == NULL) su = eng_catalog_role_by_oid(pin.catalog, s->auth_user_oid);
    if (cu == NULL) cu = su;
    if (su != NULL) sql_session_become(s, su, true);
    if (cu != NULL) sql_session_become(s, cu, false);
    eng_catalog_unpin(&pin);
}

void sql_session_role_txn_end(sql_session *s, bool committed) {
    if (!s->role_saved) return;
    if (!committed || s->role_local) {
        sql_session_restore(s, s->saved_user_oid, s->saved_session_oid);
    }
    s->role_saved = s->role_local = false;
}

void sql_session_role_reset(sql_session *s) {
    s->role_saved = s->role_local = false;
    if (s->user_oid == s->auth_user_oid && s->session_user_oid == s->auth_user_oid) return;
    sql_session_restore(s, s->auth_user_oid, s->auth_user_oid);
}
