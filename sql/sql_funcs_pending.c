/* TEMPORARY: registration hooks of function modules still being written elsewhere, so that
 * sql_funcs_init() links (each goes away when its module lands). */
#include "sql/sql_funcs_int.h"
void sql_funcs_register_misc(void) {}
void sql_funcs_register_vector(void) {}
void sql_funcs_register_pending(void) {}
