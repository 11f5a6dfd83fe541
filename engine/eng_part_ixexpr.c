/* eng_part_ixexpr.c: keys of secondary indexes, including expression and partial indexes.
 * The engine cannot evaluate SQL, so an index with expression columns or a predicate keeps a
 * private copy of its definition (the table's columns and the index) and asks the function the
 * SQL layer installed for the expression values and the predicate of each row version. Every
 * path that makes or drops an entry (insert, update, vacuum, CREATE INDEX on a table with rows,
 * checkpoint load, WAL replay) goes through eng_part_pindex_key, so they all agree. */
#include <string.h>

#include "engine/eng_key.h"
#include "engine/eng_part_int.h"
#include "runtime/rt_mem.h"

static eng_index_expr_fn eng_index_expr;

void eng_part_set_index_expr_fn(eng_index_expr_fn fn) { eng_index_expr = fn; }

static char *eng_ixdef_strdup(const char *s) { return s != NULL ? rt_strdup(s) : NULL; }

eng_table *eng_part_ixdef_new(const eng_table *t, const eng_index *ix) {
    eng_table *def = rt_xcalloc(1, sizeof *def);
    def->oid = t->oid;
    memcpy(def->name, t->name, sizeof def->name);
    def->schema_oid = t->schema_oid;
    def->kind = t->kind;
    def->storage_id = t->storage_id;
    def->def_gen = t->def_gen;
    def->partition_count = t->partition_count;
    def->pk_count = t->pk_count;
    memcpy(def->pk_attnums, t->pk_attnums, sizeof def->pk_attnums);
    def->column_count = t->column_count;
    def->columns = rt_xcalloc(t->column_count + 1u, sizeof(eng_column));
    for (uint32_t c = 0; c < t->column_count; c++) {
        eng_column *col = &def->columns[c];
        *col = t->columns[c];
        /* Only names and types matter to the evaluator; the texts belong to the catalog. */
        col->default_text = NULL;
        col->missing = NULL;
        col->missing_len = 0;
        col->comment = NULL;
    }
    def->index_count = 1;
    def->indexes = rt_xcalloc(1, sizeof(eng_index));
    eng_index *copy = def->indexes;
    *copy = *ix;
    for (uint32_t k = 0; k < ENG_INDEX_COLUMNS_MAX; k++) {
        copy->opclass[k] = NULL;
        copy->expr_text[k] = k < ix->column_count ? eng_ixdef_strdup(ix->expr_text[k]) : NULL;
    }
    copy->predicate_text = eng_ixdef_strdup(ix->predicate_text);
    copy->options_text = NULL;
    copy->comment = NULL;
    return def;
}

void eng_part_ixdef_free(eng_table *def) {
    if (def == NULL) return;
    eng_index *ix = def->indexes;
    for (uint32_t k = 0; k < ix->column_count; k++) rt_free((void *)ix->expr_text[k]);
    rt_free((void *)ix->predicate_text);
    rt_free(def->indexes);
    rt_free(def->columns);
    rt_free(def);
}

/* The expression values and predicate of the version at `slot` through the SQL layer. */
static bool eng_part_ixexpr_eval(const eng_part *p, const eng_pindex *ix, uint32_t slot,
                                 sql_value *keys, bool *included, rt_err *err) {
    const eng_table *def = ix->def;
    if (eng_index_expr == NULL) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "index \"%s\" has expressions or a predicate and no evaluator",
                          def->indexes[0].name);
    }
    uint32_t n = def->column_count <= p->ncols ? def->column_count : p->ncols;
    sql_value *row = rt_xcalloc(def->column_count + 1u, sizeof(sql_value));
    for (uint32_t c = 0; c < def->column_count; c++) {
        row[c].type_oid = def->columns[c].type_oid;
        row[c].is_null = true;
        if (c < n && !def->columns[c].dropped) eng_part_read(p, slot, (uint16_t)(c + 1), &row[c]);
    }
    bool ok = eng_index_expr(def, &def->indexes[0], row, keys, included, err);
    rt_free(row);
    return ok;
}

bool eng_part_pindex_key(const eng_part *p, const eng_pindex *ix, uint32_t slot,
                         const eng_codec_w *pk, eng_codec_w *key, bool *included, rt_err *err) {
    sql_value keys[ENG_INDEX_COLUMNS_MAX];
    *included = true;
    if (ix->def != NULL && !eng_part_ixexpr_eval(p, ix, slot, keys, included, err)) return false;
    if (!*included) return true;
    bool ok = true;
    for (uint32_t c = 0; ok && c < ix->ncols; c++) {
        sql_value v;
        if (ix->attnums[c] == 0) v = keys[c];
        else eng_part_read(p, slot, ix->attnums[c], &v);
        ok = eng_key_append(key, &v, ix->desc[c], err);
    }
    eng_w_raw(key, pk->buf, pk->len); /* entries are unique by primary key */
    return ok;
}

bool eng_part_index_entry(const eng_part *p, uint32_t index_oid, uint32_t slot,
                          eng_codec_w *key, bool *included, rt_err *err) {
    *included = false;
    const eng_pindex *ix = NULL;
    for (uint32_t i = 0; i < p->index_count && ix == NULL; i++) {
        if (p->indexes[i].oid == index_oid) ix = &p->indexes[i];
    }
    if (ix == NULL) return true;
    eng_codec_w pk;
    eng_w_init(&pk);
    bool ok = eng_part_key_of(p, slot, &pk, err) &&
              eng_part_pindex_key(p, ix, slot, &pk, key, included, err);
    rt_free(pk.buf);
    return ok;
}
