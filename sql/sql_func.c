/* sql_func.c: the registry of functions and operators: every module registers a static table of
 * definitions at start; lookups by name return every overload (resolution is the binder's). */
#include <string.h>

#include "sql/sql_expr.h"
#include "sql/sql_funcs_int.h"
#include "sql/sql_inet.h"
#include "sql/sql_ixexpr.h"

#define SQL_FUNCS_MAX 4096u         /* definitions in the server */
#define SQL_FUNC_BUCKETS 2048u

typedef struct sql_func_entry {
    const sql_func_def *def;
    struct sql_func_entry *next;
} sql_func_entry;

static const sql_func_def *sql_func_all[SQL_FUNCS_MAX];
static uint32_t sql_func_total;
static sql_func_entry sql_func_entries[SQL_FUNCS_MAX];
static sql_func_entry *sql_func_buckets[SQL_FUNC_BUCKETS];

static uint32_t sql_func_hash(const char *name, bool is_operator) {
    uint32_t h = is_operator ? 0x811c9dc5u ^ 0x5bd1e995u : 0x811c9dc5u;
    for (const char *p = name; *p != '\0'; p++) h = (h ^ (uint8_t)*p) * 16777619u;
    return h & (SQL_FUNC_BUCKETS - 1);
}

void sql_funcs_register(const sql_func_def *defs, uint32_t count) {
    for (uint32_t i = 0; i < count; i++) {
        RT_ASSERT(sql_func_total < SQL_FUNCS_MAX);
        const sql_func_def *d = &defs[i];
        sql_func_all[sql_func_total] = d;
        sql_func_entry *e = &sql_func_entries[sql_func_total++];
        e->def = d;
        uint32_t h = sql_func_hash(d->name, d->is_operator);
        /* Append at the tail so overloads keep registration order. */
        sql_func_entry **tail = &sql_func_buckets[h];
        while (*tail != NULL) tail = &(*tail)->next;
        e->next = NULL;
        *tail = e;
    }
}

bool sql_func_srf_scalar(sql_fctx *f, uint32_t n, const uint8_t *active, sql_vec **args,
                         sql_vec *out) {
    (void)n;
    (void)active;
    (void)args;
    (void)out;
    return rt_err_set(f->err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "set-valued function called in context that cannot accept a set");
}

/* The list is valid until the next lookup on this thread (the binder copies what it keeps). */
sql_func_list sql_funcs_lookup(const char *name, bool is_operator) {
    static _Thread_local const sql_func_def *scratch[256];
    sql_func_list out = {.items = scratch, .count = 0};
    for (sql_func_entry *e = sql_func_buckets[sql_func_hash(name, is_operator)]; e != NULL;
         e = e->next) {
        if (e->def->is_operator != is_operator || strcmp(e->def->name, name) != 0) continue;
        if (out.count < 256) scratch[out.count++] = e->def;
    }
    return out;
}

uint32_t sql_funcs_count(void) { return sql_func_total; }
const sql_func_def *sql_funcs_at(uint32_t i) { return sql_func_all[i]; }

void sql_funcs_init(void) {
    if (sql_func_total > 0) return;
    sql_ixexpr_install(); /* the engine evaluates index expressions through the registry */
    sql_funcs_register_cmp();
    sql_funcs_register_arith();
    sql_funcs_register_string();
    sql_funcs_register_array();
    sql_funcs_register_misc();
    sql_funcs_register_activity();
    sql_funcs_register_vector();
    sql_funcs_register_catalog();
    sql_funcs_register_numeric();
    sql_funcs_register_datetime();
    sql_funcs_register_json();
    sql_funcs_register_jsonrec();
    sql_funcs_register_inet();
    sql_funcs_register_bit();
    sql_funcs_register_range();
    sql_funcs_register_enum();
}
