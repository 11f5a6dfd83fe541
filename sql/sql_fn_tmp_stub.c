#include "sql/sql_funcs_int.h"
void sql_funcs_register_datetime(void) {}
void sql_funcs_register_json(void) {}
