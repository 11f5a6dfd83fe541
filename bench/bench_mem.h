/* bench_mem.h: memory figures the in-process engine benchmarks report (eng_dict_bench,
 * eng_vacuum_bench): a table's memory summed over its partitions on their shards (column store,
 * values, indexes and every HNSW graph), and the process's resident set. Header-only: each
 * benchmark is one executable built from one file. */
#ifndef DREAMBASE_BENCH_MEM_H
#define DREAMBASE_BENCH_MEM_H

#include <stdio.h>
#include <unistd.h>

#include "tests/sql/sql_session_harness.h"

typedef struct bench_part_mem {
    const eng_table *t;
    uint32_t shard;
    uint64_t bytes;
} bench_part_mem;

/* Runs on shard m->shard: the partitions it owns. */
static void bench_part_mem_shard(void *arg) {
    bench_part_mem *m = arg;
    for (uint32_t partno = 0; partno < m->t->partition_count; partno++) {
        if (eng_partition_owner(partno, eng_shard_count()) != m->shard) continue;
        eng_part *p = eng_partition(m->t, partno);
        m->bytes += eng_part_memory_bytes(p);
        for (uint16_t attnum = 1; attnum <= m->t->column_count; attnum++) {
            eng_hnsw_info info;
            if (eng_part_ann_info(p, attnum, &info)) m->bytes += info.memory_bytes;
        }
    }
}

/* Bytes of table `name` in database postgres, schema public (0 if there is none). */
static uint64_t bench_table_bytes(const char *name) {
    eng_catalog_ref ref;
    eng_catalog_pin(&ref);
    const eng_database *db = eng_catalog_db_by_name(ref.catalog, "postgres");
    const eng_table *t = eng_db_table_by_name(db, ENG_OID_PUBLIC, name);
    uint64_t sum = 0;
    for (uint32_t s = 0; t != NULL && s < eng_shard_count(); s++) {
        bench_part_mem m = {.t = t, .shard = s};
        rt_err err;
        rt_err_clear(&err);
        if (rt_run_on(s, bench_part_mem_shard, &m, &err)) sum += m.bytes;
    }
    eng_catalog_unpin(&ref);
    return sum;
}

/* The process's resident set in MiB (0 if /proc cannot be read). */
static double bench_rss_mib(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    if (f != NULL) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
        fclose(f);
    }
    return (double)resident * (double)sysconf(_SC_PAGESIZE) / (1 << 20);
}

#endif
