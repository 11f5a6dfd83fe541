/* sql_session_role.c: who the session is. SET ROLE / RESET ROLE change the current role
 * (current_user, whose privileges statements use) to a role the session user is a member of;
 * SET SESSION AUTHORIZATION, for a session that authenticated as a superuser, changes the
 * session user and ends any SET ROLE. Inside a transaction both are undone as settings are:
 * by ROLLBACK, by ROLLBACK TO a savepoint set before them, and at commit when LOCAL. SHOW role
 * says 'none' unless SET ROLE chose one. The checks of planned statements' privileges start
 * here. */
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

/* Makes `session` the session user and `role` (NULL: none) the role of SET ROLE; the current
 * user is that role, or else the session user. */
static void sql_session_become(sql_session *s, const eng_role *session, const eng_role *role) {
    const eng_role *cur = role != NULL ? role : session;
    snprintf(s->user, sizeof s->user, "%s", cur->name);
    s->user_oid = cur->oid;
    s->superuser = cur->superuser;
    snprintf(s->session_user, sizeof s->session_user, "%s", session->name);
    s->session_user_oid = session->oid;
    s->role_oid = role != NULL ? role->oid : 0;
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

/* SET [LOCAL] SESSION AUTHORIZATION: the new session user (*to), which ends any SET ROLE. */
static bool sql_session_auth_target(sql_session *s, const eng_catalog *cat, bool reset,
                                    const char *value, const eng_role **to, rt_err *err) {
    if (!s->auth_superuser && !reset) {
        return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                          "permission denied to set session authorization \"%s\"", value);
    }
    if (!reset) return sql_session_role_named(cat, value, to, err);
    *to = eng_catalog_role_by_oid(cat, s->auth_user_oid);
    return *to != NULL || rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "role does not exist");
}

/* SET [LOCAL] ROLE: the role (*to, NULL for NONE) the session user must be a member of. */
static bool sql_session_role_target(sql_session *s, const eng_catalog *cat, bool reset,
                                    const char *value, const eng_role **to, rt_err *err) {
    *to = NULL;
    if (reset) return true;
    if (!sql_session_role_named(cat, value, to, err)) return false;
    const eng_database *db = eng_catalog_db_by_oid(cat, sql_session_db_oid(s));
    uint32_t dba = db != NULL ? db->owner_oid : 0;
    if (sql_acl_is_member_in(cat, dba, s->session_user_oid, (*to)->oid)) return true;
    return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied to set role "
                      "\"%s\"", (*to)->name);
}

bool sql_session_set_role(sql_session *s, const sql_set *st, const char *value, rt_err *err) {
    bool session = strcmp(st->name, "session_authorization") == 0;
    bool reset = st->set_kind == SQL_SET_RESET || st->set_kind == SQL_SET_DEFAULT ||
                 (!session && value != NULL && strcasecmp(value, "none") == 0);
    eng_catalog_ref pin;
    eng_catalog_pin(&pin);
    const eng_catalog *cat = s->txn.draft != NULL ? s->txn.draft : pin.catalog;
    const eng_role *to = NULL;
    const eng_role *me = eng_catalog_role_by_oid(cat, s->session_user_oid);
    bool ok = session ? sql_session_auth_target(s, cat, reset, value, &to, err)
                      : sql_session_role_target(s, cat, reset, value, &to, err);
    if (ok && !session && me == NULL) {
        ok = rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "role does not exist");
    }
    if (ok) {
        /* Undone by ROLLBACK and ROLLBACK TO SAVEPOINT, and at commit too when LOCAL, as the
         * settings are (sql_session_guc.c keeps one log for both). */
        if (s->in_block || st->is_local) sql_guc_note_role(s, st->is_local);
        if (session) sql_session_become(s, to, NULL);
        else sql_session_become(s, me, to);
    }
    eng_catalog_unpin(&pin);
    return ok;
}

void sql_session_role_restore(sql_session *s, uint32_t role_oid, uint32_t session_oid) {
    eng_catalog_ref pin;
    eng_catalog_pin(&pin);
    /* ROLLBACK TO SAVEPOINT: a role this transaction created is in its draft. */
    const eng_catalog *cat = s->txn_active && s->txn.draft != NULL ? s->txn.draft : pin.catalog;
    const eng_role *su = eng_catalog_role_by_oid(cat, session_oid);
    const eng_role *r = role_oid != 0 ? eng_catalog_role_by_oid(cat, role_oid) : NULL;
    if (su == NULL) su = eng_catalog_role_by_oid(cat, s->auth_user_oid);
    if (su != NULL) sql_session_become(s, su, r);
    eng_catalog_unpin(&pin);
}

void sql_session_role_reset(sql_session *s) {
    if (s->role_oid == 0 && s->session_user_oid == s->auth_user_oid) return;
    sql_session_role_restore(s, 0, s->auth_user_oid);
}

const char *sql_session_role_shown(const sql_session *s) {
    return s->role_oid != 0 ? s->user : "none";
}

/* PostgreSQL 15's GUC_SUPERUSER_ONLY settings among ours: paths of the server's files. */
static bool sql_session_setting_superuser_only(const char *name) {
    static const char *const names[] = {"config_file", "data_directory", "hba_file",
                                        "unix_socket_directories"};
    for (uint32_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(name, names[i]) == 0) return true;
    }
    return false;
}

bool sql_session_setting_readable(const sql_session *s, const char *name) {
    if (s->superuser || !sql_session_setting_superuser_only(name)) return true;
    eng_catalog_ref pin;
    eng_catalog_pin(&pin);
    const eng_catalog *cat = s->txn.draft != NULL ? s->txn.draft : pin.catalog;
    bool ok = sql_acl_has_privs_of(cat, s->user_oid, ENG_OID_PG_READ_ALL_SETTINGS);
    eng_catalog_unpin(&pin);
    return ok;
}

bool sql_session_setting_check(const sql_session *s, const char *name, rt_err *err) {
    if (sql_session_setting_readable(s, name)) return true;
    return rt_err_set(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, "must be superuser or have "
                      "privileges of pg_read_all_settings to examine \"%s\"", name);
}
