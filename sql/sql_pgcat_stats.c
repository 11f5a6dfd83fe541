/* sql_pgcat_stats.c: pg_stats, the planner statistics ANALYZE gathered (sql_stats.h) as
 * PostgreSQL 15 shows them: one row per analysed column the current role may read (a
 * superuser every one; others those of tables they hold SELECT on, as PostgreSQL's view asks
 * has_column_privilege), values as anyarray text ('{1,2,3}'), fractions as real. Element
 * statistics of array columns (most_common_elems and the rest) are not gathered: NULL.
 * pg_statistic, the catalog under the view, is for superusers only (42501 for others, as
 * PostgreSQL grants it to no one): its slots in PostgreSQL's order, most common values (kind
 * 1, the type's = operator), histogram (kind 2, its <), correlation (kind 3, its <). */
#include <string.h>

#include "sql/sql_array.h"
#include "sql/sql_pgcat_int.h"
#include "sql/sql_session.h"
#include "sql/sql_stats.h"
#include "sql/sql_unique.h"

/* The statistics the reading transaction sees include its own ANALYZEs' (sql_stats.h). */
static const sql_stats_undo *pc_stats_mine(const pc_row *r) {
    return sql_session_stats_mine(r->x->session);
}

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
    sql_value *values = rt_arena_alloc(r->x->arena, sizeof(sql_value) * (n + 1u));
    if (values == NULL) return rt_arena_fail(r->x->arena, r->x->err);
    for (uint32_t i = 0; i < n; i++) {
        values[i] = (sql_value){.type_oid = SQL_T_FLOAT4, .f64 = (float)freqs[i]};
    }
    return pc_stats_values(r, col, values, n, SQL_T_FLOAT4);
}

static bool pc_stats_column(pc_row *r, const eng_database *db, const eng_table *t,
                            uint16_t attnum) {
    sql_stats_view sv;
    if (!sql_stats_view_get(pc_stats_mine(r), t, attnum, r->x->arena, &sv)) return true;
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

/* The = and < operators of a type (pg_operator OIDs of PostgreSQL 15), for pg_statistic's
 * staop; 0 for a type without them here. */
static void pc_stats_ops(uint32_t type_oid, uint32_t *eq, uint32_t *lt) {
    static const struct { uint32_t type, eq, lt; } ops[] = {
        {SQL_T_BOOL, 91, 58}, {SQL_T_BYTEA, 1955, 1957}, {SQL_T_CHAR, 92, 631},
        {SQL_T_NAME, 93, 660}, {SQL_T_INT8, 410, 412}, {SQL_T_INT2, 94, 95},
        {SQL_T_INT4, 96, 97}, {SQL_T_TEXT, 98, 664}, {SQL_T_VARCHAR, 98, 664},
        {SQL_T_OID, 607, 609}, {SQL_T_FLOAT4, 620, 622}, {SQL_T_FLOAT8, 670, 672},
        {SQL_T_MONEY, 900, 902}, {SQL_T_INET, 1201, 1203}, {SQL_T_CIDR, 1201, 1203},
        {SQL_T_BPCHAR, 1054, 1058},
        {SQL_T_DATE, 1093, 1095}, {SQL_T_TIME, 1108, 1110}, {SQL_T_TIMESTAMP, 2060, 2062},
        {SQL_T_TIMESTAMPTZ, 1320, 1322}, {SQL_T_INTERVAL, 1330, 1332},
        {SQL_T_TIMETZ, 1550, 1552}, {SQL_T_BIT, 1784, 1786}, {SQL_T_VARBIT, 1804, 1806},
        {SQL_T_NUMERIC, 1752, 1754}, {SQL_T_UUID, 2972, 2974}, {SQL_T_JSONB, 3240, 3242},
    };
    *eq = *lt = 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (ops[i].type == type_oid) {
            *eq = ops[i].eq, *lt = ops[i].lt;
            return;
        }
    }
    if (sql_type_elem_of(type_oid) != 0) *eq = 1070, *lt = 1072; /* anyarray's */
}

/* Slot k (1-based) of a pg_statistic row. */
static bool pc_statistic_slot(pc_row *r, uint32_t k, int16_t kind, uint32_t op, uint32_t coll,
                              const double *numbers, uint32_t nnumbers, const sql_value *values,
                              uint32_t nvalues, uint32_t type_oid) {
    static const char *const names[5][5] = {
        {"stakind1", "staop1", "stacoll1", "stanumbers1", "stavalues1"},
        {"stakind2", "staop2", "stacoll2", "stanumbers2", "stavalues2"},
        {"stakind3", "staop3", "stacoll3", "stanumbers3", "stavalues3"},
        {"stakind4", "staop4", "stacoll4", "stanumbers4", "stavalues4"},
        {"stakind5", "staop5", "stacoll5", "stanumbers5", "stavalues5"},
    };
    const char *const *n = names[k - 1];
    pc_int(r, n[0], kind);
    pc_int(r, n[1], op);
    pc_int(r, n[2], coll);
    return pc_stats_freqs(r, n[3], numbers, nnumbers) &&
           pc_stats_values(r, n[4], values, nvalues, type_oid);
}

static bool pc_statistic_column(pc_row *r, const eng_table *t, uint16_t attnum) {
    sql_stats_view sv;
    if (!sql_stats_view_get(pc_stats_mine(r), t, attnum, r->x->arena, &sv)) return true;
    const eng_column *col = &t->columns[attnum - 1];
    uint32_t eq, lt, coll = pc_column_collation(col);
    pc_stats_ops(col->type_oid, &eq, &lt);
    pc_clear(r);
    pc_int(r, "starelid", t->oid);
    pc_int(r, "staattnum", attnum);
    pc_bool(r, "stainherit", false);
    pc_f64(r, "stanullfrac", (float)sv.null_frac);
    pc_int(r, "stawidth", sv.avg_width);
    pc_f64(r, "stadistinct", (float)sv.n_distinct);
    uint32_t k = 1;
    bool ok = true;
    if (ok && sv.nmcv > 0) {
        ok = pc_statistic_slot(r, k++, 1, eq, coll, sv.mcv_freq, sv.nmcv, sv.mcv, sv.nmcv,
                               col->type_oid);
    }
    if (ok && sv.nhist > 0) {
        ok = pc_statistic_slot(r, k++, 2, lt, coll, NULL, 0, sv.hist, sv.nhist, col->type_oid);
    }
    if (ok && sv.has_correlation) {
        ok = pc_statistic_slot(r, k++, 3, lt, coll, &sv.correlation, 1, NULL, 0, 0);
    }
    for (; ok && k <= 5; k++) ok = pc_statistic_slot(r, k, 0, 0, 0, NULL, 0, NULL, 0, 0);
    return ok && pc_add(r);
}

bool pc_scan_statistic(pc_row *r) {
    const eng_role *me = eng_catalog_role_by_oid(r->x->catalog, pc_current_role(r));
    if (me == NULL || !me->superuser) {
        return rt_err_set(r->x->err, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                          "permission denied for table pg_statistic");
    }
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (t->kind != 'r' || sql_unique_is_companion(t)) continue;
        for (uint16_t a = 1; a <= t->column_count; a++) {
            if (t->columns[a - 1].dropped) continue;
            if (!pc_statistic_column(r, t, a)) return false;
        }
    }
    return true;
}

bool pc_scan_stats(pc_row *r) {
    const eng_database *db = r->x->db;
    uint32_t me = pc_current_role(r);
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (t->kind != 'r' || sql_unique_is_companion(t)) continue;
        uint32_t held = sql_acl_mask(r->x->catalog, db->owner_oid, me, t->owner_oid, t->acl,
                                     SQL_ACL_TABLE, t->oid);
        if ((held & ENG_ACL_SELECT) == 0) continue;
        for (uint16_t a = 1; a <= t->column_count; a++) {
            if (t->columns[a - 1].dropped) continue;
            if (!pc_stats_column(r, db, t, a)) return false;
        }
    }
    return true;
}
