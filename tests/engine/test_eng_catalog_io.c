/* test_eng_catalog_io.c: the catalog's serialized form keeps what an index says of each
 * column's order: DESC, and NULLS FIRST / LAST where it is not the direction's default.
 * How: a bootstrap catalog gets a table with a four-column index (every direction and NULLS
 * order), is serialized and read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/eng_catalog.h"
#include "runtime/rt_mem.h"

static const eng_index *test_roundtrip_index(eng_catalog **out) {
    eng_catalog *base = eng_catalog_bootstrap("postgres");
    assert_non_null(base);
    eng_catalog *draft = eng_catalog_draft(base);
    const eng_database *db = eng_catalog_db_by_name(draft, "postgres");
    assert_non_null(db);
    eng_column cols[4];
    memset(cols, 0, sizeof cols);
    for (uint16_t i = 0; i < 4; i++) {
        cols[i].name[0] = (char)('a' + i);
        cols[i].type_oid = 23;
        cols[i].typmod = -1;
        cols[i].attnum = (uint16_t)(i + 1);
    }
    eng_index ix;
    memset(&ix, 0, sizeof ix);
    ix.oid = eng_catalog_new_oid(draft);
    strcpy(ix.name, "t_idx");
    ix.method = ENG_INDEX_BTREE;
    ix.column_count = 4;
    static const bool desc[4] = {false, false, true, true};
    static const bool nulls_first[4] = {false, true, true, false};
    for (uint16_t k = 0; k < 4; k++) {
        ix.attnums[k] = (uint16_t)(k + 1);
        ix.desc[k] = desc[k];
        ix.nulls_first[k] = nulls_first[k];
    }
    eng_table t;
    memset(&t, 0, sizeof t);
    t.oid = eng_catalog_new_oid(draft);
    strcpy(t.name, "t");
    t.schema_oid = eng_db_schema_by_name(db, "public")->oid;
    t.kind = 'r';
    t.persistence = 'p';
    t.partition_count = 1;
    t.column_count = 4;
    t.columns = cols;
    t.index_count = 1;
    t.indexes = &ix;
    ix.table_oid = t.oid;
    assert_non_null(eng_draft_add_table(draft, db->oid, &t));
    uint8_t *bytes;
    uint64_t len;
    rt_err err;
    rt_err_clear(&err);
    assert_true(eng_catalog_serialize(draft, &bytes, &len, &err));
    eng_catalog *back = eng_catalog_deserialize(bytes, len, &err);
    assert_non_null(back);
    rt_free(bytes);
    eng_catalog_draft_free(draft);
    eng_catalog_draft_free(base);
    *out = back;
    const eng_table *rt = NULL;
    const eng_database *bdb = eng_catalog_db_by_name(back, "postgres");
    const eng_index *found = NULL;
    rt = eng_db_table_of_index(bdb, ix.oid, &found);
    assert_non_null(rt);
    assert_non_null(found);
    for (uint16_t k = 0; k < 4; k++) {
        assert_int_equal(found->desc[k], desc[k]);
        assert_int_equal(found->nulls_first[k], nulls_first[k]);
    }
    return found;
}

static void test_eng_catalog_io_index_nulls_order_roundtrip(void **state) {
    (void)state;
    eng_catalog *back;
    const eng_index *ix = test_roundtrip_index(&back);
    assert_int_equal(ix->column_count, 4);
    eng_catalog_draft_free(back);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eng_catalog_io_index_nulls_order_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
