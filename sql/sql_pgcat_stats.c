/* sql_pgcat_stats.c: pg_stats, the planner statistics ANALYZE gathered (sql_stats.h) as
 * PostgreSQL 15 shows them: one row per analysed column the current role may read (a
 * superuser every one; others those of tables they hold SELECT on, as PostgreSQL's view asks
 * has_column_privilege), values as anyarray text ('{1,2,3}'), fractions as real. Element
 * statistics of array columns (most_common_elems and the rest) are not gathered: NULL. */
#include <string.h>

#include "sql/sql_array.h"
#include "sql/sql_pgcat_int.h"
#include "sql/sql_stats.h"
#include "sql/sql_unique.h"

/* values[0..n) as an array of their type into anyarray column `col` (NULL when empty, as
 * PostgreSQL leaves a slot out). */
static bool pc_stats_values(pc_row *r, const char *col, const sql_value *values, uint32_t n,
                            uint32_t type_oid) {
    if (n == 0) {
        pc_null(r, col);
        return true;
    }
    sql_array_builder b;
    if (!sql_array_builder_init(&b, r->x->arena, type_oid)) {
        return rt_arena_fail(r->x->arena, r->x->err);
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!sql_array_builder_add(&b, &values[i])) return rt_arena_fail(r->x->arena, r->x->err);
    }
    sql_bytes out;
    if (!sql_array_builder_finish(&b, &out)) return rt_arena_fail(r->x->arena, r->x->err);
    pc_bytes(r, col, out);
    return true;
}

/* Frequencies as real[] (PostgreSQL keeps them as float4). */
static bool pc_stats_freqs(pc_row *r, const char *col, const double *freqs, uint32_t n) {
    if (n == 0) {
        pc_null(r, col);
        return true;
    }
    sql_array_builder b;
    if (!sql_array_builder_init(&b, r->x->arena, SQL_T_FLOAT4)) {
        return rt_arena_fail(r->x->arena, r->x->err);
    }
    for (uint32_t i = 0; i < n; i++) {
        sql_value e = {.type_oid = SQL_T_FLOAT4, .f64 = (float)freqs[i]};
        if (!sql_array_builder_add(&b, &e)) return rt_arena_fail(r->x->arena, r->x->err);
    }
    sql_bytes out;
    if (!sql_array_builder_finish(&b, &out)) return rt_arena_fail(r->x->arena, r->x->err);
    pc_bytes(r, col, out);
    return true;
}

static bool pc_stats_column(pc_row *r, const eng_database *db, const eng_table *t,
                            uint16_t attnum) {
    sql_stats_view sv;
    if (!sql_stats_view_get(t, attnum, r->x->arena, &sv)) return true;
    uint32_t type_oid = t->columns[attnum - 1].type_oid;
    pc_clear(r);
    pc_str(r, "schemaname", pc_schema_name(db, t->schema_oid));
    pc_str(r, "tablename", t->name);
    pc_str(r, "attname", t->columns[attnum - 1].name);
    pc_bool(r, "inherited", false);
    pc_f64(r, "null_frac", (float)sv.null_frac);
    pc_int(r, "avg_width", sv.avg_width);
    pc_f64(r, "n_distinct", (float)sv.n_distinct);
    if (sv.has_correlation) {
        pc_f64(r, "correlation", (float)sv.correlation);
    } else {
        pc_null(r, "correlation");
    }
    return pc_stats_values(r, "most_common_vals", sv.mcv, sv.nmcv, type_oid) &&
           pc_stats_freqs(r, "most_common_freqs", sv.mcv_freq, sv.nmcv) &&
           pc_stats_values(r, "histogram_bounds", sv.hist, sv.nhist, type_oid) && pc_add(r);
}

bool pc_scan_stats(pc_row *r) {
    const eng_database *db = r->x->db;
    uint32_t me = pc_current_role(r);
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (t->kind != 'r' || sql_unique_is_companion(t)) continue;
        uint32_t held = sql_acl_mask(r->x->catalog, me, t->owner_oid, t->acl, SQL_ACL_TABLE,
                                     t->oid);
        if ((held & ENG_ACL_SELECT) == 0) continue;
        for (uint16_t a = 1; a <= t->column_count; a++) {
            if (t->columns[a - 1].dropped) continue;
            if (!pc_stats_column(r, db, t, a)) return false;
        }
    }
    return true;
}
