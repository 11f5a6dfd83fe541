/* TEMPORARY (not committed): registration hooks of modules still being written. */
#include "sql/sql_types_int.h"
void sql_types_number_register(sql_type_def *t) { (void)t; }
void sql_types_datetime_register(sql_type_def *t) { (void)t; }
void sql_types_json_register(sql_type_def *t) { (void)t; }
