/* sql_pgcat_class.c: the relations about tables, views, indexes and sequences: pg_class,
 * pg_attribute, pg_index, pg_constraint, pg_attrdef, pg_description, pg_sequence and the views
 * over them (pg_tables, pg_views, pg_indexes, pg_sequences, pg_stat_user_tables).
 * Expressions (defaults, CHECK, index predicates) are kept as SQL text; the pg_node_tree
 * columns carry that text, which pg_get_expr() prints. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_unique.h"
#include "sql/sql_fk.h"
#include "sql/sql_ixexpr.h"
#include "sql/sql_pgcat_int.h"
#include "sql/sql_stats.h"

/* PostgreSQL's system columns, present on every table. */
static const struct { const char *name; int16_t attnum; uint32_t type; int16_t len; } pc_sys[] = {
    {"tableoid", -6, SQL_T_OID, 4}, {"cmax", -5, SQL_T_CID, 4}, {"xmax", -4, SQL_T_XID, 4},
    {"cmin", -3, SQL_T_CID, 4},     {"xmin", -2, SQL_T_XID, 4}, {"ctid", -1, SQL_T_TID, 6},
};

/* Catalog relations PostgreSQL shares between databases. */
static bool pc_rel_is_shared(uint32_t id) {
    return id == 1262 || id == 1260 || id == 1213 || id == 2396 || id == 1261;
}

static uint32_t pc_index_am(const eng_index *ix) {
    switch (ix->method) {
    case ENG_INDEX_HNSW: return PC_OID_HNSW_AM;
    case ENG_INDEX_HASH: return PC_OID_HASH_AM;
    default: return PC_OID_BTREE_AM;
    }
}

/* reloptions from the options text as given ("fillfactor = 80, autovacuum_enabled=off"). */
static bool pc_reloptions(pc_row *r, const char *text, uint16_t fillfactor) {
    char ff[32];
    const char *items[32];
    uint32_t n = 0;
    if (text == NULL) {
        if (fillfactor == 0 || fillfactor == 100) return true;
        snprintf(ff, sizeof ff, "fillfactor=%u", fillfactor);
        items[n++] = ff;
        return pc_text_array(r, "reloptions", items, n);
    }
    char *copy = rt_arena_strdup(r->x->arena, text);
    if (copy == NULL) return rt_arena_fail(r->x->arena, r->x->err);
    for (char *tok = strtok(copy, ","); tok != NULL && n < 32; tok = strtok(NULL, ",")) {
        char *w = tok;
        for (char *p = tok; *p != '\0'; p++) {
            if (*p != ' ') *w++ = *p;
        }
        *w = '\0';
        if (*tok != '\0') items[n++] = tok;
    }
    return pc_text_array(r, "reloptions", items, n);
}

static void pc_class_common(pc_row *r, uint32_t oid, const char *name, uint32_t ns,
                            uint32_t owner, char kind, char persistence) {
    pc_clear(r);
    pc_int(r, "oid", oid);
    pc_str(r, "relname", name);
    pc_int(r, "relnamespace", ns);
    pc_int(r, "relowner", owner);
    pc_int(r, "relfilenode", kind == 'v' || kind == 'c' ? 0 : oid);
    pc_f64(r, "reltuples", kind == 'i' ? 0 : kind == 'S' ? 1 : -1);
    pc_char(r, "relpersistence", persistence);
    pc_char(r, "relkind", kind);
    pc_bool(r, "relhasrules", kind == 'v');
    pc_bool(r, "relispopulated", true);
    pc_char(r, "relreplident", kind == 'r' ? 'd' : 'n');
    pc_int(r, "relfrozenxid", kind == 'r' ? 716 : 0);
    pc_int(r, "relminmxid", kind == 'r' ? 1 : 0);
    if (kind == 'r') pc_int(r, "relam", PC_OID_HEAP_AM);
}

static uint32_t pc_shown_indexes(const eng_table *t) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->index_count; i++) n += pc_index_shown(&t->indexes[i]);
    return n;
}

static bool pc_class_table(pc_row *r, const eng_table *t) {
    char kind = t->kind == 'v' || t->kind == 'c' ? t->kind : 'r';
    pc_class_common(r, t->oid, t->name, t->schema_oid, t->owner_oid, kind, t->persistence);
    pc_int(r, "reltype", t->rowtype_oid);
    /* Rows as of the last ANALYZE (manual or automatic; kept across restarts), -1 before one
     * or after TRUNCATE, as PostgreSQL's. */
    double rows = kind == 'r' ? sql_stats_rows(t) : -1;
    if (rows >= 0) pc_f64(r, "reltuples", rows);
    pc_int(r, "relnatts", t->column_count);
    uint32_t checks = 0;
    for (uint32_t i = 0; i < t->constraint_count; i++) checks += t->constraints[i].kind == 'c';
    pc_int(r, "relchecks", checks);
    pc_bool(r, "relhasindex", pc_shown_indexes(t) > 0);
    /* PostgreSQL enforces foreign keys with triggers on both tables: psql's \d looks for
     * "Foreign-key constraints" and "Referenced by" only when this is set. */
    pc_bool(r, "relhastriggers", kind == 'r' && sql_fk_involved(r->x->db, t));
    if (kind == 'r' && !pc_reloptions(r, t->options_text, t->fillfactor)) return false;
    if (!pc_acl(r, "relacl", t->acl, SQL_ACL_TABLE, t->owner_oid, t->oid) || !pc_add(r)) {
        return false;
    }
    for (uint32_t i = 0; i < t->index_count; i++) {
        const eng_index *ix = &t->indexes[i];
        if (!pc_index_shown(ix)) continue;
        pc_class_common(r, ix->oid, ix->name, t->schema_oid, t->owner_oid, 'i', t->persistence);
        pc_int(r, "relfilenode", eng_index_filenode(ix)); /* REINDEX gives a new one */
        pc_int(r, "relam", pc_index_am(ix));
        pc_int(r, "relnatts", ix->column_count);
        if (ix->options_text != NULL && !pc_reloptions(r, ix->options_text, 0)) return false;
        if (!pc_add(r)) return false;
    }
    return true;
}

bool pc_scan_class(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < sql_pgcat_count(); i++) {
        const sql_pgcat_rel *rel = sql_pgcat_at(i);
        char kind = pc_rel_is_view(rel) ? 'v' : 'r';
        pc_class_common(r, rel->id, rel->name, pc_rel_schema_oid(rel), ENG_OID_BOOTSTRAP_ROLE,
                        kind, 'p');
        pc_int(r, "relnatts", rel->ncols);
        pc_bool(r, "relhasindex", kind == 'r');
        pc_bool(r, "relisshared", pc_rel_is_shared(rel->id));
        if (!pc_add(r)) return false;
    }
    for (uint32_t i = 0; i < db->table_count; i++) {
        if (sql_unique_is_companion(&db->tables[i])) continue; /* hidden */
        if (db->tables[i].kind == 'S') continue; /* sequences come from db->sequences */
        if (!pc_class_table(r, &db->tables[i])) return false;
    }
    for (uint32_t i = 0; i < db->sequence_count; i++) {
        const eng_sequence *s = &db->sequences[i];
        pc_class_common(r, s->oid, s->name, s->schema_oid, s->owner_oid, 'S', s->persistence);
        pc_int(r, "relnatts", 3);
        if (!pc_acl(r, "relacl", s->acl, SQL_ACL_SEQUENCE, s->owner_oid, s->oid) || !pc_add(r)) {
            return false;
        }
    }
    return true;
}

/* ---- pg_attribute ---- */

static void pc_att_type(pc_row *r, uint32_t type, int32_t typmod) {
    const sql_type_def *td = sql_type_by_oid(type);
    pc_int(r, "atttypid", type);
    pc_int(r, "attstattarget", -1);
    pc_int(r, "attlen", td != NULL ? td->typlen : -1);
    pc_int(r, "attndims", td != NULL && sql_type_is_array(td) ? 1 : 0);
    pc_int(r, "attcacheoff", -1);
    pc_int(r, "atttypmod", typmod);
    pc_bool(r, "attbyval", td != NULL && td->byval);
    pc_char(r, "attalign", td != NULL ? td->align : 'i');
    pc_char(r, "attstorage", td != NULL ? td->storage : 'x');
    pc_bool(r, "attislocal", true);
}

/* One pg_attribute row; `owner` is the table's (an index column has no grants). */
static bool pc_att_column(pc_row *r, uint32_t relid, uint32_t owner, const eng_column *col) {
    pc_clear(r);
    pc_int(r, "attrelid", relid);
    char dropped[ENG_NAME_BYTES];
    if (col->dropped) {
        snprintf(dropped, sizeof dropped, "........pg.dropped.%u........", col->attnum);
        pc_str(r, "attname", dropped);
        pc_att_type(r, 0, -1);
    } else {
        pc_str(r, "attname", col->name);
        pc_att_type(r, col->type_oid, col->typmod);
        if (col->domain_oid != 0) { /* the column's declared type, as PostgreSQL keeps it */
            pc_int(r, "atttypid", col->domain_oid);
            pc_int(r, "atttypmod", -1);
        }
    }
    pc_int(r, "attnum", col->attnum);
    pc_bool(r, "attnotnull", col->not_null && !col->dropped);
    /* an identity column's nextval() is not a default in PostgreSQL's catalog */
    pc_bool(r, "atthasdef", col->default_text != NULL && !col->dropped && col->identity == 0);
    pc_bool(r, "atthasmissing", col->missing != NULL && !col->dropped);
    pc_char(r, "attidentity", col->identity);
    pc_char(r, "attgenerated", col->generated);
    pc_bool(r, "attisdropped", col->dropped);
    pc_int(r, "attcollation", col->dropped ? 0 : pc_column_collation(col));
    if (!pc_acl(r, "attacl", col->acl, SQL_ACL_COLUMN, owner, relid)) return false;
    return pc_add(r);
}

static bool pc_att_table(pc_row *r, const eng_table *t) {
    for (uint32_t c = 0; c < t->column_count; c++) {
        if (!pc_att_column(r, t->oid, t->owner_oid, &t->columns[c])) return false;
    }
    for (uint32_t s = 0; t->kind == 'r' && s < sizeof pc_sys / sizeof pc_sys[0]; s++) {
        pc_clear(r);
        pc_int(r, "attrelid", t->oid);
        pc_str(r, "attname", pc_sys[s].name);
        pc_att_type(r, pc_sys[s].type, -1);
        pc_int(r, "attnum", pc_sys[s].attnum);
        pc_int(r, "attlen", pc_sys[s].len);
        pc_bool(r, "attnotnull", true);
        if (!pc_add(r)) return false;
    }
    for (uint32_t i = 0; i < t->index_count; i++) {
        const eng_index *ix = &t->indexes[i];
        if (!pc_index_shown(ix)) continue;
        for (uint32_t k = 0; k < ix->column_count; k++) {
            const eng_column *col = eng_table_column_by_attnum(t, ix->attnums[k]);
            eng_column ic = {.attnum = (uint16_t)(k + 1), .type_oid = SQL_T_INT4, .typmod = -1};
            if (col != NULL) {
                ic = *col;
                ic.attnum = (uint16_t)(k + 1);
                ic.not_null = false, ic.default_text = NULL, ic.identity = 0;
                ic.generated = 0, ic.missing = NULL, ic.acl = NULL;
            } else {
                snprintf(ic.name, sizeof ic.name, "expr");
            }
            if (!pc_att_column(r, ix->oid, 0, &ic)) return false;
        }
    }
    return true;
}

bool pc_scan_attribute(pc_row *r) {
    for (uint32_t i = 0; i < sql_pgcat_count(); i++) {
        const sql_pgcat_rel *rel = sql_pgcat_at(i);
        for (uint32_t c = 0; c < rel->ncols; c++) {
            pc_clear(r);
            pc_int(r, "attrelid", rel->id);
            pc_str(r, "attname", rel->cols[c].name);
            pc_att_type(r, rel->cols[c].type_oid, -1);
            pc_int(r, "attnum", c + 1);
            const sql_type_def *td = sql_type_by_oid(rel->cols[c].type_oid);
            pc_int(r, "attcollation", td != NULL ? td->collation : 0);
            if (!pc_add(r)) return false;
        }
    }
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        if (sql_unique_is_companion(&db->tables[i])) continue; /* hidden */
        if (db->tables[i].kind != 'S' && !pc_att_table(r, &db->tables[i])) return false;
    }
    return true;
}

/* ---- pg_index ---- */

/* The operator class of an index column: pgvector's by metric, else the type's default. */
static uint32_t pc_index_opclass(const eng_index *ix, const eng_column *col) {
    if (ix->method == ENG_INDEX_HNSW) {
        if (ix->metric == ENG_METRIC_COSINE) return PC_OID_VECTOR_COSINE_OPS;
        return ix->metric == ENG_METRIC_IP ? PC_OID_VECTOR_IP_OPS : PC_OID_VECTOR_L2_OPS;
    }
    uint32_t am = ix->method == ENG_INDEX_HASH ? PC_OID_HASH_AM : PC_OID_BTREE_AM;
    return pc_default_opclass(am, col != NULL ? col->type_oid : 0);
}

/* An index column's expression as pg_get_expr prints it from indexprs: without the
 * parentheses pg_get_indexdef puts around an expression that is not a function call. */
static void pc_index_expr_text(sql_strbuf *sb, const char *text) {
    size_t n = strlen(text);
    int depth = 0;
    size_t close = 0;
    bool quoted = false;
    for (size_t i = 0; text[0] == '(' && i < n && close == 0; i++) {
        if (text[i] == '\'') quoted = !quoted;
        if (quoted) continue;
        depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
        if (depth == 0) close = i;
    }
    if (close == 0 || close != n - 1) {
        sql_strbuf_puts(sb, text);
        return;
    }
    for (size_t i = 1; i + 1 < n; i++) sql_strbuf_putc(sb, text[i]);
}

static bool pc_index_row(pc_row *r, const eng_table *t, const eng_index *ix) {
    uint32_t coll[ENG_INDEX_COLUMNS_MAX], cls[ENG_INDEX_COLUMNS_MAX];
    uint16_t opt[ENG_INDEX_COLUMNS_MAX];
    sql_strbuf exprs;
    sql_strbuf_init(&exprs, r->x->arena, 64);
    for (uint32_t k = 0; k < ix->column_count; k++) {
        const eng_column *col = eng_table_column_by_attnum(t, ix->attnums[k]);
        coll[k] = col != NULL ? pc_column_collation(col) : 0;
        cls[k] = pc_index_opclass(ix, col);
        opt[k] = (uint16_t)((ix->desc[k] ? 1 : 0) | (ix->nulls_first[k] ? 2 : 0));
        if (col != NULL) continue;
        /* An expression column: its type's class and collation, its text in indexprs. */
        uint32_t type = 0;
        int32_t typmod;
        rt_err tmp;
        rt_err_clear(&tmp);
        if (sql_ixexpr_key_type(t, ix, k, &type, &typmod, &tmp)) {
            cls[k] = pc_default_opclass(PC_OID_BTREE_AM, type);
            coll[k] = sql_type_is_string(type) ? 100 : 0;
        }
        const char *text = ix->expr_text[k] != NULL ? ix->expr_text[k] : "";
        /* A CASE begins on a new line, and PostgreSQL drops the space before it. */
        bool newline = text[0] == '\n' || (text[0] == '(' && text[1] == '\n');
        if (exprs.len > 0) sql_strbuf_puts(&exprs, newline ? "," : ", ");
        pc_index_expr_text(&exprs, text);
    }
    sql_strbuf_putc(&exprs, '\0');
    pc_clear(r);
    pc_int(r, "indexrelid", ix->oid);
    pc_int(r, "indrelid", t->oid);
    pc_int(r, "indnatts", ix->column_count);
    pc_int(r, "indnkeyatts", ix->column_count);
    pc_bool(r, "indisunique", ix->unique || ix->primary);
    pc_bool(r, "indnullsnotdistinct", ix->nulls_not_distinct);
    pc_bool(r, "indisprimary", ix->primary);
    pc_bool(r, "indimmediate", true);
    pc_bool(r, "indisvalid", !ix->invalid);
    pc_bool(r, "indisready", !ix->invalid || ix->building);
    pc_bool(r, "indislive", true);
    if (!pc_int2_array(r, "indkey", ix->attnums, ix->column_count, true) ||
        !pc_oidvector(r, "indcollation", coll, ix->column_count) ||
        !pc_oidvector(r, "indclass", cls, ix->column_count) ||
        !pc_int2_array(r, "indoption", opt, ix->column_count, true)) {
        return false;
    }
    pc_str(r, "indexprs", exprs.len > 1 && !exprs.failed ? exprs.data : NULL);
    pc_str(r, "indpred", ix->predicate_text);
    return pc_add(r);
}

bool pc_scan_index(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (sql_unique_is_companion(t)) continue; /* hidden */
        for (uint32_t k = 0; k < t->index_count; k++) {
            if (pc_index_shown(&t->indexes[k]) && !pc_index_row(r, t, &t->indexes[k])) {
                return false;
            }
        }
    }
    return true;
}

/* ---- pg_constraint ---- */

/* The unique index of `ref` whose columns are exactly `attnums` (what a foreign key uses). */
static uint32_t pc_fk_index(const eng_table *ref, const uint16_t *attnums, uint32_t n) {
    for (uint32_t i = 0; ref != NULL && i < ref->index_count; i++) {
        const eng_index *ix = &ref->indexes[i];
        if (!(ix->unique || ix->primary) || ix->column_count != n) continue;
        if (memcmp(ix->attnums, attnums, n * sizeof attnums[0]) == 0) return ix->oid;
    }
    return 0;
}

static bool pc_constraint_row(pc_row *r, const eng_table *t, const eng_constraint *con) {
    pc_clear(r);
    pc_int(r, "oid", con->oid);
    pc_str(r, "conname", con->name);
    pc_int(r, "connamespace", t->schema_oid);
    pc_char(r, "contype", con->kind);
    pc_bool(r, "condeferrable", con->deferrable);
    pc_bool(r, "condeferred", con->deferred);
    pc_bool(r, "convalidated", con->validated || (con->kind != 'c' && con->kind != 'f'));
    pc_int(r, "conrelid", t->oid);
    pc_int(r, "conindid", con->index_oid);
    pc_char(r, "confupdtype", ' ');
    pc_char(r, "confdeltype", ' ');
    pc_char(r, "confmatchtype", ' ');
    pc_bool(r, "conislocal", true);
    pc_bool(r, "connoinherit", false);
    if (con->kind == 'f') {
        const eng_table *ref = eng_db_table_by_oid(r->x->db, con->ref_table_oid);
        pc_int(r, "conindid", pc_fk_index(ref, con->ref_attnums, con->column_count));
        pc_int(r, "confrelid", con->ref_table_oid);
        pc_char(r, "confupdtype", con->on_update != 0 ? con->on_update : 'a');
        pc_char(r, "confdeltype", con->on_delete != 0 ? con->on_delete : 'a');
        pc_char(r, "confmatchtype", con->match != 0 ? con->match : 's');
        if (!pc_int2_array(r, "confkey", con->ref_attnums, con->column_count, false)) {
            return false;
        }
    }
    uint16_t cols[ENG_INDEX_COLUMNS_MAX];
    uint32_t ncols = con->column_count;
    memcpy(cols, con->attnums, ncols * sizeof cols[0]);
    if (con->kind == 'c' && ncols == 0 && con->check_text != NULL) {
        ncols = pc_check_columns(t, con->check_text, cols, ENG_INDEX_COLUMNS_MAX);
    }
    if (ncols > 0 && !pc_int2_array(r, "conkey", cols, ncols, false)) return false;
    if (con->check_text != NULL) {
        sql_strbuf sb;
        sql_strbuf_init(&sb, r->x->arena, 64);
        pc_check_expr(&sb, t, con->check_text, false);
        const char *bin = pc_strbuf_cstr(&sb);
        if (bin == NULL) return rt_arena_fail(r->x->arena, r->x->err);
        pc_str(r, "conbin", bin);
    }
    return pc_add(r);
}

/* A domain's CHECK (contypid the domain; no relation). */
static bool pc_domain_constraint_row(pc_row *r, const eng_domain *d, const eng_domain_check *k) {
    pc_clear(r);
    pc_int(r, "oid", k->oid);
    pc_str(r, "conname", k->name);
    pc_int(r, "connamespace", d->schema_oid);
    pc_char(r, "contype", 'c');
    pc_bool(r, "convalidated", true);
    pc_int(r, "contypid", d->oid);
    pc_char(r, "confupdtype", ' ');
    pc_char(r, "confdeltype", ' ');
    pc_char(r, "confmatchtype", ' ');
    pc_bool(r, "conislocal", true);
    pc_bool(r, "connoinherit", true);
    pc_str(r, "conbin", k->check_text);
    return pc_add(r);
}

const eng_domain_check *pc_domain_check_by_oid(const eng_database *db, uint32_t oid) {
    for (uint32_t i = 0; i < db->domain_count; i++) {
        for (uint32_t k = 0; k < db->domains[i].check_count; k++) {
            if (db->domains[i].checks[k].oid == oid) return &db->domains[i].checks[k];
        }
    }
    return NULL;
}

bool pc_scan_constraint(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->domain_count; i++) {
        for (uint32_t k = 0; k < db->domains[i].check_count; k++) {
            if (!pc_domain_constraint_row(r, &db->domains[i], &db->domains[i].checks[k])) {
                return false;
            }
        }
    }
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (sql_unique_is_companion(t)) continue; /* hidden */
        for (uint32_t k = 0; k < t->constraint_count; k++) {
            const eng_constraint *con = &t->constraints[k];
            if (con->kind == 'n') continue; /* PostgreSQL 15 keeps NOT NULL in pg_attribute */
            if (!pc_constraint_row(r, t, con)) return false;
        }
    }
    return true;
}

const eng_constraint *pc_constraint_by_oid(const eng_database *db, uint32_t oid,
                                           const eng_table **table) {
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (sql_unique_is_companion(t)) continue; /* hidden */
        for (uint32_t k = 0; k < t->constraint_count; k++) {
            if (t->constraints[k].oid == oid) {
                *table = t;
                return &t->constraints[k];
            }
        }
    }
    return NULL;
}

/* ---- pg_attrdef, pg_description ---- */

/* Defaults have no OID of their own in the catalog: one derived from the table's and the
 * column's numbers (unique while table OIDs stay below 2^32 / 1601). */
static uint32_t pc_attrdef_oid(uint32_t table_oid, uint16_t attnum) {
    return table_oid * (ENG_COLUMNS_MAX + 1u) + attnum;
}

bool pc_scan_attrdef(pc_row *r) {
    const eng_database *db = r->x->db;
    sql_strbuf sb;
    sql_strbuf_init(&sb, r->x->arena, 64);
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (sql_unique_is_companion(t)) continue; /* hidden */
        for (uint32_t c = 0; c < t->column_count; c++) {
            const eng_column *col = &t->columns[c];
            if (col->default_text == NULL || col->dropped || col->identity != 0) continue;
            pc_clear(r);
            pc_int(r, "oid", pc_attrdef_oid(t->oid, col->attnum));
            pc_int(r, "adrelid", t->oid);
            pc_int(r, "adnum", col->attnum);
            sql_strbuf_reset(&sb);
            pc_default_def(&sb, r->x, t, col);
            const char *text = pc_strbuf_cstr(&sb);
            if (text == NULL) return rt_arena_fail(r->x->arena, r->x->err);
            pc_str(r, "adbin", text);
            if (!pc_add(r)) return false;
        }
    }
    return true;
}

static bool pc_description_row(pc_row *r, uint32_t oid, uint32_t classoid, int32_t sub,
                               const char *text) {
    if (text == NULL) return true;
    pc_clear(r);
    pc_int(r, "objoid", oid);
    pc_int(r, "classoid", classoid);
    pc_int(r, "objsubid", sub);
    pc_str(r, "description", text);
    return pc_add(r);
}

static bool pc_description_table(pc_row *r, const eng_table *t) {
    if (!pc_description_row(r, t->oid, 1259, 0, t->comment)) return false;
    for (uint32_t c = 0; c < t->column_count; c++) {
        const eng_column *col = &t->columns[c];
        if (!col->dropped && !pc_description_row(r, t->oid, 1259, col->attnum, col->comment)) {
            return false;
        }
    }
    for (uint32_t i = 0; i < t->index_count; i++) {
        const eng_index *ix = &t->indexes[i];
        if (!pc_description_row(r, ix->oid, 1259, 0, ix->comment)) return false;
    }
    for (uint32_t i = 0; i < t->constraint_count; i++) {
        const eng_constraint *con = &t->constraints[i];
        if (!pc_description_row(r, con->oid, 2606, 0, con->comment)) return false;
    }
    return true;
}

bool pc_scan_description(pc_row *r) {
    const eng_database *db = r->x->db;
    /* the comment every PostgreSQL database has on its plpgsql extension (\dx shows it) */
    if (!pc_description_row(r, PC_OID_PLPGSQL_EXT, 3079, 0, "PL/pgSQL procedural language")) {
        return false;
    }
    for (uint32_t i = 0; i < db->schema_count; i++) {
        const eng_schema *s = &db->schemas[i];
        if (!pc_description_row(r, s->oid, 2615, 0, s->comment)) return false;
    }
    for (uint32_t i = 0; i < db->table_count; i++) {
        if (sql_unique_is_companion(&db->tables[i])) continue; /* hidden */
        if (!pc_description_table(r, &db->tables[i])) return false;
    }
    for (uint32_t i = 0; i < db->sequence_count; i++) {
        const eng_sequence *s = &db->sequences[i];
        if (!pc_description_row(r, s->oid, 1259, 0, s->comment)) return false;
    }
    for (uint32_t i = 0; i < db->domain_count; i++) { /* types: pg_type (1247) */
        const eng_domain *d = &db->domains[i];
        if (!pc_description_row(r, d->oid, 1247, 0, d->comment)) return false;
    }
    for (uint32_t i = 0; i < db->enum_count; i++) {
        const eng_enum *e = &db->enums[i];
        if (!pc_description_row(r, e->oid, 1247, 0, e->comment)) return false;
    }
    return true;
}

/* ---- sequences ---- */

bool pc_scan_sequence(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->sequence_count; i++) {
        const eng_sequence *s = &db->sequences[i];
        pc_clear(r);
        pc_int(r, "seqrelid", s->oid);
        pc_int(r, "seqtypid", s->type_oid);
        pc_int(r, "seqstart", s->start);
        pc_int(r, "seqincrement", s->increment);
        pc_int(r, "seqmax", s->max_value);
        pc_int(r, "seqmin", s->min_value);
        pc_int(r, "seqcache", s->cache);
        pc_bool(r, "seqcycle", s->cycle);
        if (!pc_add(r)) return false;
    }
    return true;
}

/* pg_depend: only what clients read there, sequences owned by a column ("Owned by" in psql;
 * 'a' for serial, 'i' for identity columns). */
bool pc_scan_depend(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->sequence_count; i++) {
        const eng_sequence *s = &db->sequences[i];
        const eng_table *t = eng_db_table_by_oid(db, s->owned_by_table);
        if (t == NULL) continue;
        const eng_column *col = eng_table_column_by_attnum(t, s->owned_by_attnum);
        pc_clear(r);
        pc_int(r, "classid", 1259);
        pc_int(r, "objid", s->oid);
        pc_int(r, "refclassid", 1259);
        pc_int(r, "refobjid", t->oid);
        pc_int(r, "refobjsubid", s->owned_by_attnum);
        pc_char(r, "deptype", col != NULL && col->identity != 0 ? 'i' : 'a');
        if (!pc_add(r)) return false;
    }
    return true;
}

bool pc_scan_sequences(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->sequence_count; i++) {
        const eng_sequence *s = &db->sequences[i];
        pc_clear(r);
        pc_str(r, "schemaname", pc_schema_name(db, s->schema_oid));
        pc_str(r, "sequencename", s->name);
        pc_str(r, "sequenceowner", pc_role_name(r->x->catalog, s->owner_oid));
        pc_int(r, "data_type", s->type_oid);
        pc_int(r, "start_value", s->start);
        pc_int(r, "min_value", s->min_value);
        pc_int(r, "max_value", s->max_value);
        pc_int(r, "increment_by", s->increment);
        pc_bool(r, "cycle", s->cycle);
        pc_int(r, "cache_size", s->cache);
        pc_null(r, "last_value");
        if (!pc_add(r)) return false;
    }
    return true;
}

/* ---- views over pg_class ---- */

bool pc_scan_tables(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < sql_pgcat_count(); i++) {
        const sql_pgcat_rel *rel = sql_pgcat_at(i);
        if (pc_rel_is_view(rel)) continue;
        pc_clear(r);
        pc_str(r, "schemaname", rel->schema);
        pc_str(r, "tablename", rel->name);
        pc_str(r, "tableowner", pc_role_name(r->x->catalog, ENG_OID_BOOTSTRAP_ROLE));
        if (pc_rel_is_shared(rel->id)) pc_str(r, "tablespace", "pg_global");
        pc_bool(r, "hasindexes", true);
        if (!pc_add(r)) return false;
    }
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (sql_unique_is_companion(t)) continue; /* hidden */
        if (t->kind != 'r') continue;
        pc_clear(r);
        pc_str(r, "schemaname", pc_schema_name(db, t->schema_oid));
        pc_str(r, "tablename", t->name);
        pc_str(r, "tableowner", pc_role_name(r->x->catalog, t->owner_oid));
        pc_bool(r, "hasindexes", pc_shown_indexes(t) > 0);
        if (!pc_add(r)) return false;
    }
    return true;
}

bool pc_scan_views(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (sql_unique_is_companion(t)) continue; /* hidden */
        if (t->kind != 'v') continue;
        pc_clear(r);
        pc_str(r, "schemaname", pc_schema_name(db, t->schema_oid));
        pc_str(r, "viewname", t->name);
        pc_str(r, "viewowner", pc_role_name(r->x->catalog, t->owner_oid));
        pc_str(r, "definition", t->view_text);
        if (!pc_add(r)) return false;
    }
    return true;
}

bool pc_scan_indexes(pc_row *r) {
    const eng_database *db = r->x->db;
    sql_strbuf sb;
    sql_strbuf_init(&sb, r->x->arena, 128);
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (sql_unique_is_companion(t)) continue; /* hidden */
        for (uint32_t k = 0; k < t->index_count; k++) {
            const eng_index *ix = &t->indexes[k];
            if (!pc_index_shown(ix)) continue;
            sql_strbuf_reset(&sb);
            pc_index_def(&sb, db, t, ix, 0, false);
            const char *def = pc_strbuf_cstr(&sb);
            if (def == NULL) return rt_arena_fail(r->x->arena, r->x->err);
            pc_clear(r);
            pc_str(r, "schemaname", pc_schema_name(db, t->schema_oid));
            pc_str(r, "tablename", t->name);
            pc_str(r, "indexname", ix->name);
            pc_str(r, "indexdef", def);
            if (!pc_add(r)) return false;
        }
    }
    return true;
}

/* A Unix-epoch time in microseconds as timestamptz, NULL for never (0). */
static void pc_time_us(pc_row *r, const char *col, int64_t unix_us) {
    if (unix_us == 0) {
        pc_null(r, col);
    } else {
        pc_int(r, col, unix_us - 946684800000000ll); /* Unix to PostgreSQL epoch */
    }
}

/* Row counts and vacuum figures from the engine (eng_vac.h: a table and its partitions on
 * every shard); statistics Dreambase does not count yet read as zero. */
bool pc_scan_stat_user_tables(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (sql_unique_is_companion(t)) continue; /* hidden */
        if (t->kind != 'r') continue;
        pc_clear(r);
        pc_int(r, "relid", t->oid);
        pc_str(r, "schemaname", pc_schema_name(db, t->schema_oid));
        pc_str(r, "relname", t->name);
        sql_stats_activity sa;
        sql_stats_activity_get(t->oid, &sa);
        pc_int(r, "seq_scan", (int64_t)sa.seq_scan);
        pc_int(r, "idx_scan", (int64_t)sa.idx_scan);
        if (pc_shown_indexes(t) == 0) {
            pc_null(r, "idx_scan");
            pc_null(r, "idx_tup_fetch");
        }
        eng_vac_stats vs = eng_vac_stats_get(t->storage_id);
        pc_int(r, "n_live_tup", vs.live);
        pc_int(r, "n_dead_tup", vs.dead);
        pc_time_us(r, "last_vacuum", vs.last_vacuum_us);
        pc_time_us(r, "last_autovacuum", vs.last_autovacuum_us);
        pc_int(r, "vacuum_count", (int64_t)vs.vacuum_count);
        pc_int(r, "autovacuum_count", (int64_t)vs.autovacuum_count);
        pc_time_us(r, "last_analyze", sa.last_analyze_us);
        pc_time_us(r, "last_autoanalyze", sa.last_autoanalyze_us);
        pc_int(r, "analyze_count", (int64_t)sa.analyze_count);
        pc_int(r, "autoanalyze_count", (int64_t)sa.autoanalyze_count);
        pc_int(r, "n_mod_since_analyze", (int64_t)sa.mod_since_analyze);
        if (!pc_add(r)) return false;
    }
    return true;
}
