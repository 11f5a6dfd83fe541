/* test_eng_catalog_enum.c: enum types in the catalog and the values that carry their labels.
 * How: a bootstrap catalog gets an enum type whose labels have PostgreSQL's sort orders (1, 2,
 * a midpoint, one below the first), is serialized and read back (labels, oids, sort orders,
 * comment, and the enum registry knowing the type and its array type); replacing and removing
 * the type in a draft; a value's int64 orders as the labels' sort orders and gives back the
 * label's oid and sort order; an oid handed out by a draft that is thrown away is never handed
 * out again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/eng_catalog.h"
#include "runtime/rt_mem.h"
#include "sql/sql_batch.h"
#include "sql/sql_enum.h"

static const float test_orders[4] = {0.0f, 1.0f, 1.5f, 2.0f};
static const char *const test_labels[4] = {"down", "sad", "meh", "ok"};

/* A draft of the bootstrap catalog with enum type "mood" in public; *oid its oid. */
static eng_catalog *test_enum_draft(uint32_t *oid) {
    eng_catalog *base = eng_catalog_bootstrap("postgres");
    assert_non_null(base);
    eng_catalog *draft = eng_catalog_draft(base);
    eng_catalog_draft_free(base);
    const eng_database *db = eng_catalog_db_by_name(draft, "postgres");
    assert_non_null(db);
    eng_enum_label labels[4];
    memset(labels, 0, sizeof labels);
    eng_enum e;
    memset(&e, 0, sizeof e);
    e.oid = eng_catalog_new_oid(draft);
    e.array_oid = eng_catalog_new_oid(draft);
    strcpy(e.name, "mood");
    e.schema_oid = ENG_OID_PUBLIC;
    e.owner_oid = ENG_OID_BOOTSTRAP_ROLE;
    e.comment = "how one feels";
    for (uint32_t k = 0; k < 4; k++) {
        labels[k].oid = eng_catalog_new_oid(draft);
        labels[k].sortorder = test_orders[k];
        strcpy(labels[k].name, test_labels[k]);
    }
    e.labels = labels;
    e.label_count = 4;
    eng_draft_put_enum(draft, db->oid, &e);
    *oid = e.oid;
    return draft;
}

static void test_eng_catalog_enum_roundtrip(void **state) {
    (void)state;
    uint32_t oid;
    eng_catalog *draft = test_enum_draft(&oid);
    uint8_t *bytes;
    uint64_t len;
    rt_err err;
    rt_err_clear(&err);
    assert_true(eng_catalog_serialize(draft, &bytes, &len, &err));
    eng_catalog *back = eng_catalog_deserialize(bytes, len, &err);
    rt_free(bytes);
    assert_non_null(back);
    const eng_database *db = eng_catalog_db_by_name(back, "postgres");
    const eng_enum *e = eng_db_enum_by_name(db, ENG_OID_PUBLIC, "mood");
    assert_non_null(e);
    assert_int_equal(e->oid, oid);
    assert_ptr_equal(eng_db_enum_by_oid(db, e->array_oid), e);
    assert_string_equal(e->comment, "how one feels");
    assert_int_equal(e->label_count, 4);
    for (uint32_t k = 0; k < 4; k++) {
        assert_string_equal(e->labels[k].name, test_labels[k]);
        assert_true(e->labels[k].sortorder == test_orders[k]);
        assert_true(e->labels[k].oid > oid);
    }
    /* The registry knows the type: its values are int64s, stored as such. */
    assert_true(sql_enum_is(oid));
    assert_false(sql_enum_is(e->array_oid));
    assert_int_equal(sql_enum_array_of(oid), e->array_oid);
    assert_int_equal(sql_enum_elem_of(e->array_oid), oid);
    assert_int_equal(sql_phys_of_type(oid), SQL_PHYS_I64);
    assert_int_equal(sql_phys_of_type(e->array_oid), SQL_PHYS_BYTES);
    assert_int_equal(eng_store_of_type(oid), ENG_STORE_I64);
    eng_catalog_draft_free(back);
    eng_catalog_draft_free(draft);
}

static void test_eng_catalog_enum_replace_and_remove(void **state) {
    (void)state;
    uint32_t oid;
    eng_catalog *draft = test_enum_draft(&oid);
    const eng_database *db = eng_catalog_db_by_name(draft, "postgres");
    eng_enum e = *eng_db_enum_by_oid(db, oid);
    eng_enum_label renamed[4];
    memcpy(renamed, e.labels, sizeof renamed);
    strcpy(renamed[2].name, "so-so");
    e.labels = renamed;
    strcpy(e.name, "feeling");
    eng_draft_put_enum(draft, db->oid, &e); /* same oid: replaced, not added */
    db = eng_catalog_db_by_name(draft, "postgres");
    assert_int_equal(db->enum_count, 1);
    assert_null(eng_db_enum_by_name(db, ENG_OID_PUBLIC, "mood"));
    const eng_enum *got = eng_db_enum_by_name(db, ENG_OID_PUBLIC, "feeling");
    assert_non_null(got);
    assert_string_equal(got->labels[2].name, "so-so");
    assert_int_equal(got->labels[2].oid, renamed[2].oid);
    eng_draft_remove_enum(draft, db->oid, oid);
    assert_int_equal(eng_catalog_db_by_name(draft, "postgres")->enum_count, 0);
    eng_catalog_draft_free(draft);
}

static void test_eng_catalog_enum_value_order(void **state) {
    (void)state;
    static const float orders[] = {-1e6f, -2.0f, -1.0f, -0.25f, 0.0f, 0.5f, 1.0f, 1.5f,
                                   1.75f, 2.0f, 3.0f, 1e6f};
    uint32_t n = sizeof orders / sizeof orders[0];
    for (uint32_t i = 0; i < n; i++) {
        /* label oids in the opposite order: the sort order alone decides */
        int64_t v = sql_enum_value(orders[i], 90000u - i);
        assert_int_equal(sql_enum_label_oid(v), 90000u - i);
        assert_true(sql_enum_sortorder(v) == orders[i]);
        if (i > 0) assert_true(sql_enum_value(orders[i - 1], 90000u - i + 1) < v);
    }
    assert_true(sql_enum_value(1.0f, UINT32_MAX) < sql_enum_value(1.5f, 0));
}

static void test_eng_catalog_enum_oids_not_reused(void **state) {
    (void)state;
    eng_catalog *base = eng_catalog_bootstrap("postgres");
    eng_catalog *first = eng_catalog_draft(base);
    uint32_t a = eng_catalog_new_oid(first);
    eng_catalog_draft_free(first); /* rolled back */
    eng_catalog *second = eng_catalog_draft(base);
    uint32_t b = eng_catalog_new_oid(second);
    assert_true(b > a);
    eng_catalog_draft_free(second);
    eng_catalog_draft_free(base);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eng_catalog_enum_roundtrip),
        cmocka_unit_test(test_eng_catalog_enum_replace_and_remove),
        cmocka_unit_test(test_eng_catalog_enum_value_order),
        cmocka_unit_test(test_eng_catalog_enum_oids_not_reused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
