/* sql_session_cmd.c: command ids for statements the executor runs inside another (foreign-key
 * checks and actions). Its own file so that tests which stand in for the session with stubs
 * of their own link without it clashing with theirs. */
#include "sql/sql_session_int.h"

uint32_t sql_session_take_command(sql_session *s) {
    if (s->command < ENG_TXN_COMMANDS_MAX) s->command++;
    return s->command;
}
