/* TEMPORARY (not committed) */
#include "sql/sql_agg.h"
void sql_aggs_register_numeric(void) {}
