/* zone_scan.h: the store's own answer to a range, for the zone-map tests (test_eng_zone*.c):
 * store_range(table, attnum, type, lo, hi) (store_scan: any eng_scan_range) scans every
 * partition of `table` on its shard with eng_part_scan_pre's range [lo, hi] on column `attnum`
 * (zone maps may skip row groups) and with no range, and returns the rows of each (returned,
 * total). Column 1 is fetched: the tables' int primary key. zone_same_rows(c, table, pushed,
 * kept): `pushed` (a WHERE the scan hands to the store) and `kept` (the same test in a form it
 * cannot hand over) give the same count and sum of id. Include after
 * tests/sql/sql_session_harness.h. */
#ifndef TEST_ZONE_SCAN_H
#define TEST_ZONE_SCAN_H

typedef struct zone_scan {
    const eng_table *t;
    eng_scan_range range;
    uint64_t returned, total;
} zone_scan;

static void zone_scan_shard(void *arg) {
    zone_scan *z = arg;
    eng_snapshot snap = {.ts = eng_txn_snapshot_ts()};
    rt_arena *arena = rt_arena_create(RT_QUERY_ARENA_BYTES_MAX);
    sql_batch *b = sql_batch_new(arena, 1, ENG_RG_ROWS);
    TEST_CHECK(b != NULL && sql_vec_init(arena, &b->cols[0], SQL_T_INT4, -1, ENG_RG_ROWS));
    uint16_t att = 1;
    eng_scan_pre pre = {.nranges = 1, .ranges = {z->range}};
    for (uint32_t partno = 0; b != NULL && partno < z->t->partition_count; partno++) {
        if (eng_partition_owner(partno, rt_shard_count()) != rt_core_id()) continue;
        eng_part *p = eng_partition(z->t, partno);
        uint32_t cursor = 0;
        while (eng_part_scan_pre(p, &snap, &cursor, &att, 1, &pre, b, NULL)) z->returned += b->rows;
        cursor = 0;
        while (eng_part_scan(p, &snap, &cursor, &att, 1, b, NULL)) z->total += b->rows;
    }
    rt_arena_destroy(arena);
}

/* Rows the store returns for `range` over table `name`, and all its visible rows. */
static zone_scan store_scan(const char *name, eng_scan_range range) {
    zone_scan sum = {0};
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    const eng_database *db = eng_catalog_db_by_name(ref.catalog, "postgres");
    const eng_table *t = eng_db_table_by_name(db, ENG_OID_PUBLIC, name);
    TEST_CHECK(t != NULL);
    for (uint32_t s = 0; t != NULL && s < eng_shard_count(); s++) {
        zone_scan z = {.t = t, .range = range};
        rt_err err;
        rt_err_clear(&err);
        TEST_CHECK(rt_run_on(s, zone_scan_shard, &z, &err));
        sum.returned += z.returned;
        sum.total += z.total;
    }
    eng_catalog_unpin(&ref);
    return sum;
}

/* Rows the store returns for `attnum` in [lo, hi] of table `name`, and all its visible rows. */
static inline zone_scan store_range(const char *name, uint16_t attnum, uint32_t type,
                                    int64_t lo, int64_t hi) {
    return store_scan(name, (eng_scan_range){.attnum = attnum, .type_oid = type, .lo = lo,
                                             .hi = hi});
}

static void zone_same_rows(capture *c, const char *table, const char *pushed, const char *kept) {
    char a[512], b[512];
    snprintf(a, sizeof a, "SELECT count(*), sum(id) FROM %s WHERE %s", table, pushed);
    snprintf(b, sizeof b, "SELECT count(*), sum(id) FROM %s WHERE %s", table, kept);
    static char want[OUT_BYTES];
    snprintf(want, sizeof want, "%s", run(c, b));
    expect(c, a, want);
}

#endif
