/* sql_unique.c: naming and lookup of the companion tables behind UNIQUE constraints. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sql_unique.h"

bool sql_unique_needs_companion(const eng_table *t, const eng_index *ix) {
    if (!ix->unique || ix->primary || ix->method != ENG_INDEX_BTREE) return false;
    if (ix->invalid && !ix->building) return false; /* nothing keeps a failed build's keys */
    if (t->pk_count == 0) return true;
    for (uint32_t i = 0; i < t->pk_count; i++) {
        bool found = false;
        for (uint32_t j = 0; j < ix->column_count && !found; j++) {
            found = ix->attnums[j] == t->pk_attnums[i];
        }
        if (!found) return true;
    }
    return false; /* contains the primary key: unique because the primary key is */
}

void sql_unique_name(const eng_index *ix, char out[ENG_NAME_BYTES]) {
    snprintf(out, ENG_NAME_BYTES, SQL_UNIQUE_PREFIX "%" PRIu32, ix->oid);
}

uint64_t sql_unique_source_storage(const eng_table *companion) {
    const char *o = companion->options_text;
    if (o == NULL || strncmp(o, "source_storage=", 15) != 0) return 0;
    return strtoull(o + 15, NULL, 10);
}

const eng_table *sql_unique_companion(const eng_database *db, const eng_table *t,
                                      const eng_index *ix) {
    char name[ENG_NAME_BYTES];
    sql_unique_name(ix, name);
    const eng_table *c = eng_db_table_by_name(db, t->schema_oid, name);
    if (c == NULL || !sql_unique_is_companion(c)) return NULL;
    return sql_unique_source_storage(c) == t->storage_id ? c : NULL;
}

bool sql_unique_owner(const eng_database *db, const eng_table *companion, const eng_table **t,
                      const eng_index **ix) {
    const char *n = companion->name + strlen(SQL_UNIQUE_PREFIX);
    uint32_t oid = (uint32_t)strtoul(n, NULL, 10);
    *t = eng_db_table_of_index(db, oid, ix);
    return *t != NULL && *ix != NULL && sql_unique_needs_companion(*t, *ix);
}

void sql_unique_columns_text(const eng_table *t, const eng_index *ix, char *out, size_t size) {
    size_t len = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < ix->column_count && len < size; i++) {
        len += (size_t)snprintf(out + len, size - len, "%s%s", i > 0 ? ", " : "",
                                t->columns[ix->attnums[i] - 1].name);
    }
}
