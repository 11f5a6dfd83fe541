/* eng_catalog_io.c: the bootstrap catalog, and catalog serialisation for checkpoints.
 * The format is a tagged little-endian stream (eng_codec.h); a reader validates every length
 * and count, so a corrupt file gives XX001, never a crash or a half-built catalog. */
#include <stdio.h>
#include <string.h>

#include "engine/eng_catalog_int.h"
#include "engine/eng_codec.h"
#include "runtime/rt_mem.h"
#include "sql/sql_enum.h"

#define ENG_CATALOG_MAGIC 0x44424341u /* "DBCA" */
/* Format 2 added access lists (tables, sequences, schemas, databases) and role memberships;
 * format 1 files still load: their objects get the default privileges and no memberships.
 * Format 3 added domains, the domain of a column and the row types of tables; older files
 * have none. */
#define ENG_CATALOG_FORMAT 4u     /* format 4 added enum types */
#define ENG_CATALOG_FORMAT_V3 3u
#define ENG_CATALOG_FORMAT_V2 2u
#define ENG_CATALOG_FORMAT_V1 1u

static void eng_boot_schemas(eng_catalog *c, eng_database *db) {
    static const struct { uint32_t oid; const char *name; } schemas[] = {
        {ENG_OID_PG_CATALOG, "pg_catalog"}, {ENG_OID_PG_TOAST, "pg_toast"},
        {ENG_OID_PUBLIC, "public"}, {ENG_OID_INFORMATION_SCHEMA, "information_schema"}};
    (void)c;
    db->schema_count = 4;
    db->schemas = rt_xcalloc(5, sizeof(eng_schema));
    for (uint32_t i = 0; i < 4; i++) {
        db->schemas[i].oid = schemas[i].oid;
        snprintf(db->schemas[i].name, ENG_NAME_BYTES, "%s", schemas[i].name);
        /* public belongs to whoever owns the database, as in PostgreSQL 15. */
        db->schemas[i].owner_oid = schemas[i].oid == ENG_OID_PUBLIC ? ENG_OID_PG_DATABASE_OWNER
                                                                    : ENG_OID_BOOTSTRAP_ROLE;
    }
    db->tables = rt_xcalloc(1, sizeof(eng_table));
    db->sequences = rt_xcalloc(1, sizeof(eng_sequence));
    db->extensions = rt_xcalloc(1, sizeof(eng_extension));
}

static const struct {
    uint32_t oid;
    const char *name;
} eng_predefined_roles[] = {
    {ENG_OID_PG_MONITOR, "pg_monitor"},
    {ENG_OID_PG_READ_ALL_SETTINGS, "pg_read_all_settings"},
    {ENG_OID_PG_READ_ALL_STATS, "pg_read_all_stats"},
    {ENG_OID_PG_STAT_SCAN_TABLES, "pg_stat_scan_tables"},
    {ENG_OID_PG_SIGNAL_BACKEND, "pg_signal_backend"},
    {ENG_OID_PG_CHECKPOINT, "pg_checkpoint"},
    {ENG_OID_PG_READ_SERVER_FILES, "pg_read_server_files"},
    {ENG_OID_PG_WRITE_SERVER_FILES, "pg_write_server_files"},
    {ENG_OID_PG_EXECUTE_SERVER_PROGRAM, "pg_execute_server_program"},
    {ENG_OID_PG_DATABASE_OWNER, "pg_database_owner"},
    {ENG_OID_PG_READ_ALL_DATA, "pg_read_all_data"},
    {ENG_OID_PG_WRITE_ALL_DATA, "pg_write_all_data"},
};
#define ENG_PREDEFINED_ROLE_COUNT (sizeof eng_predefined_roles / sizeof eng_predefined_roles[0])

bool eng_role_is_predefined(uint32_t oid) {
    for (uint32_t i = 0; i < ENG_PREDEFINED_ROLE_COUNT; i++) {
        if (eng_predefined_roles[i].oid == oid) return true;
    }
    return false;
}

/* Adds the predefined roles a catalog lacks (all of them at bootstrap; a catalog written
 * before they existed gains them on load), NOLOGIN and INHERIT like PostgreSQL's, and
 * pg_monitor's memberships in the three roles it bundles when pg_monitor is new. */
static void eng_boot_predefined_roles(eng_catalog *c) {
    bool monitor_new = eng_catalog_role_by_oid(c, ENG_OID_PG_MONITOR) == NULL;
    for (uint32_t i = 0; i < ENG_PREDEFINED_ROLE_COUNT; i++) {
        if (eng_catalog_role_by_oid(c, eng_predefined_roles[i].oid) != NULL) continue;
        eng_role r;
        memset(&r, 0, sizeof r);
        r.oid = eng_predefined_roles[i].oid;
        snprintf(r.name, ENG_NAME_BYTES, "%s", eng_predefined_roles[i].name);
        r.inherit = true;
        r.connection_limit = -1;
        r.valid_until_us = INT64_MAX;
        eng_draft_add_role(c, &r);
    }
    if (!monitor_new) return;
    static const uint32_t bundled[] = {ENG_OID_PG_READ_ALL_SETTINGS, ENG_OID_PG_READ_ALL_STATS,
                                       ENG_OID_PG_STAT_SCAN_TABLES};
    for (uint32_t i = 0; i < 3; i++) {
        eng_member m = {bundled[i], ENG_OID_PG_MONITOR, ENG_OID_BOOTSTRAP_ROLE, false};
        eng_draft_set_member(c, &m);
    }
}

eng_catalog *eng_catalog_bootstrap(const char *superuser) {
    eng_catalog *c = eng_cat_new();
    c->version = 1;
    c->next_oid = SQL_OID_FIRST_USER;
    c->next_storage_id = 1;
    c->role_count = 1;
    c->roles = rt_xrealloc(c->roles, 2 * sizeof(eng_role));
    memset(c->roles, 0, 2 * sizeof(eng_role));
    eng_role *r = &c->roles[0];
    r->oid = ENG_OID_BOOTSTRAP_ROLE;
    snprintf(r->name, ENG_NAME_BYTES, "%s", superuser);
    r->superuser = r->inherit = r->createrole = r->createdb = r->login = true;
    r->replication = r->bypassrls = true;
    r->connection_limit = -1;
    r->valid_until_us = INT64_MAX;
    static const struct { uint32_t oid; const char *name; } dbs[] = {
        {ENG_OID_POSTGRES_DB, "postgres"}, {ENG_OID_TEMPLATE1, "template1"},
        {ENG_OID_TEMPLATE0, "template0"}};
    c->db_count = 3;
    c->dbs = rt_xrealloc(c->dbs, 4 * sizeof(eng_database));
    memset(c->dbs, 0, 4 * sizeof(eng_database));
    for (uint32_t i = 0; i < 3; i++) {
        c->dbs[i].oid = dbs[i].oid;
        snprintf(c->dbs[i].name, ENG_NAME_BYTES, "%s", dbs[i].name);
        c->dbs[i].owner_oid = ENG_OID_BOOTSTRAP_ROLE;
        eng_boot_schemas(c, &c->dbs[i]);
        c->dbs[i].catalog = c;
    }
    eng_boot_predefined_roles(c);
    c->index_dirty = true;
    return c;
}

/* ---- writing ---- */

/* An access list: a count (UINT32_MAX for NULL, the defaults), then the items. */
static void eng_ser_acl(eng_codec_w *w, const eng_acl *acl) {
    if (acl == NULL) {
        eng_w_u32(w, UINT32_MAX);
        return;
    }
    eng_w_u32(w, acl->count);
    for (uint32_t i = 0; i < acl->count; i++) {
        eng_w_u32(w, acl->items[i].grantee);
        eng_w_u32(w, acl->items[i].grantor);
        eng_w_u32(w, acl->items[i].privs);
        eng_w_u32(w, acl->items[i].grant_options);
    }
}

static void eng_ser_column(eng_codec_w *w, const eng_column *col) {
    eng_w_str(w, col->name);
    eng_w_u32(w, col->type_oid);
    eng_w_u32(w, (uint32_t)col->typmod);
    eng_w_u32(w, col->attnum);
    eng_w_u32(w, col->store);
    /* Bit 2: column privileges follow the domain (catalogs written before they existed read
     * as having none). */
    eng_w_u32(w, (uint32_t)col->not_null | (uint32_t)col->dropped << 1 |
                     (uint32_t)(col->acl != NULL) << 2);
    eng_w_u32(w, (uint32_t)(uint8_t)col->identity | (uint32_t)(uint8_t)col->generated << 8);
    eng_w_u32(w, col->vector_dims);
    eng_w_u32(w, col->collation);
    eng_w_opt_str(w, col->default_text);
    eng_w_u32(w, col->default_seq);
    eng_w_bytes(w, col->missing, col->missing != NULL ? col->missing_len : 0);
    eng_w_u32(w, col->missing != NULL);
    eng_w_opt_str(w, col->comment);
    eng_w_u32(w, col->domain_oid);
    if (col->acl != NULL) eng_ser_acl(w, col->acl); /* bit 2 */
}

static void eng_ser_attnums(eng_codec_w *w, const uint16_t *attnums, uint32_t n) {
    eng_w_u32(w, n);
    for (uint32_t i = 0; i < n; i++) eng_w_u32(w, attnums[i]);
}

static void eng_ser_index(eng_codec_w *w, const eng_index *ix) {
    eng_w_u32(w, ix->oid);
    eng_w_str(w, ix->name);
    eng_w_u32(w, ix->table_oid);
    eng_w_u32(w, ix->method);
    bool exprs = false;
    for (uint32_t i = 0; i < ix->column_count; i++) exprs |= ix->expr_text[i] != NULL;
    /* Bit 4 says expression texts follow the columns: catalogs written before expression
     * indexes existed read as they did. */
    eng_w_u32(w, (uint32_t)ix->unique | (uint32_t)ix->primary << 1 |
                     (uint32_t)ix->automatic << 2 | (uint32_t)ix->nulls_not_distinct << 3 |
                     (uint32_t)exprs << 4 | (uint32_t)ix->invalid << 5 |
                     (uint32_t)ix->building << 6 | (uint32_t)(ix->relfilenode != 0) << 7);
    eng_ser_attnums(w, ix->attnums, ix->column_count);
    for (uint32_t i = 0; i < ix->column_count; i++) {
        /* Bit 1: the NULLS order is not the default one for the direction (catalogs written
         * before it was kept read as the default). */
        eng_w_u32(w, (uint32_t)ix->desc[i] | (uint32_t)(ix->nulls_first[i] != ix->desc[i]) << 1);
        eng_w_opt_str(w, ix->opclass[i]);
        if (exprs) eng_w_opt_str(w, ix->expr_text[i]);
    }
    eng_w_opt_str(w, ix->predicate_text);
    eng_w_opt_str(w, ix->options_text);
    eng_w_u32(w, ix->metric);
    eng_w_u32(w, ix->hnsw_m);
    eng_w_u32(w, ix->hnsw_ef_construction);
    eng_w_opt_str(w, ix->comment);
    if (ix->relfilenode != 0) eng_w_u32(w, ix->relfilenode); /* bit 7 */
}

static void eng_ser_constraint(eng_codec_w *w, const eng_constraint *k) {
    eng_w_u32(w, k->oid);
    eng_w_str(w, k->name);
    eng_w_u32(w, (uint8_t)k->kind);
    eng_w_u32(w, k->table_oid);
    eng_ser_attnums(w, k->attnums, k->column_count);
    eng_w_u32(w, k->index_oid);
    eng_w_opt_str(w, k->check_text);
    eng_w_u32(w, k->ref_table_oid);
    for (uint32_t i = 0; i < k->column_count; i++) eng_w_u32(w, k->ref_attnums[i]);
    eng_w_u32(w, (uint32_t)(uint8_t)k->on_delete | (uint32_t)(uint8_t)k->on_update << 8 |
                     (uint32_t)(uint8_t)k->match << 16);
    eng_w_u32(w, (uint32_t)k->deferrable | (uint32_t)k->deferred << 1 |
                     (uint32_t)k->validated << 2);
    eng_w_opt_str(w, k->comment);
}

void eng_catalog_write_table(eng_codec_w *w, const eng_table *t) {
    eng_w_u32(w, t->oid);
    eng_w_str(w, t->name);
    eng_w_u32(w, t->schema_oid);
    eng_w_u32(w, t->owner_oid);
    eng_w_u32(w, (uint8_t)t->kind | (uint32_t)(uint8_t)t->persistence << 8 |
                     (uint32_t)(uint8_t)t->on_commit << 16);
    eng_w_u32(w, t->temp_session);
    eng_w_u64(w, t->storage_id);
    eng_w_u64(w, t->def_gen);
    eng_w_u32(w, t->partition_count);
    eng_w_u32(w, t->column_count);
    for (uint32_t i = 0; i < t->column_count; i++) eng_ser_column(w, &t->columns[i]);
    eng_ser_attnums(w, t->pk_attnums, t->pk_count);
    eng_w_u32(w, t->index_count);
    for (uint32_t i = 0; i < t->index_count; i++) eng_ser_index(w, &t->indexes[i]);
    eng_w_u32(w, t->constraint_count);
    for (uint32_t i = 0; i < t->constraint_count; i++) eng_ser_constraint(w, &t->constraints[i]);
    eng_w_u32(w, t->fillfactor);
    eng_w_opt_str(w, t->view_text);
    eng_w_opt_str(w, t->options_text);
    eng_w_opt_str(w, t->comment);
    eng_ser_acl(w, t->acl);
    eng_w_u32(w, t->rowtype_oid);
    eng_w_u32(w, t->rowtype_array_oid);
}

static void eng_ser_sequence(eng_codec_w *w, const eng_sequence *s) {
    eng_w_u32(w, s->oid);
    eng_w_str(w, s->name);
    eng_w_u32(w, s->schema_oid);
    eng_w_u32(w, s->owner_oid);
    eng_w_u32(w, s->type_oid);
    eng_w_u64(w, (uint64_t)s->start);
    eng_w_u64(w, (uint64_t)s->increment);
    eng_w_u64(w, (uint64_t)s->min_value);
    eng_w_u64(w, (uint64_t)s->max_value);
    eng_w_u64(w, (uint64_t)s->cache);
    eng_w_u32(w, s->cycle);
    eng_w_u32(w, s->owned_by_table);
    eng_w_u32(w, s->owned_by_attnum);
    eng_w_u32(w, (uint8_t)s->persistence);
    eng_w_opt_str(w, s->comment);
    eng_ser_acl(w, s->acl);
}

static void eng_ser_domain(eng_codec_w *w, const eng_domain *d) {
    eng_w_u32(w, d->oid);
    eng_w_u32(w, d->array_oid);
    eng_w_str(w, d->name);
    eng_w_u32(w, d->schema_oid);
    eng_w_u32(w, d->owner_oid);
    eng_w_u32(w, d->base_oid);
    eng_w_u32(w, (uint32_t)d->typmod);
    eng_w_u32(w, d->collation);
    eng_w_u32(w, d->not_null);
    eng_w_opt_str(w, d->default_text);
    eng_w_opt_str(w, d->comment);
    eng_w_u32(w, d->check_count);
    for (uint32_t k = 0; k < d->check_count; k++) {
        eng_w_u32(w, d->checks[k].oid);
        eng_w_str(w, d->checks[k].name);
        eng_w_str(w, d->checks[k].check_text);
    }
}

static void eng_ser_enum(eng_codec_w *w, const eng_enum *e) {
    eng_w_u32(w, e->oid);
    eng_w_u32(w, e->array_oid);
    eng_w_str(w, e->name);
    eng_w_u32(w, e->schema_oid);
    eng_w_u32(w, e->owner_oid);
    eng_w_opt_str(w, e->comment);
    eng_w_u32(w, e->label_count);
    for (uint32_t k = 0; k < e->label_count; k++) {
        uint32_t bits;
        memcpy(&bits, &e->labels[k].sortorder, 4);
        eng_w_u32(w, e->labels[k].oid);
        eng_w_u32(w, bits);
        eng_w_str(w, e->labels[k].name);
    }
}

static void eng_ser_db(eng_codec_w *w, const eng_database *db) {
    eng_w_u32(w, db->oid);
    eng_w_str(w, db->name);
    eng_w_u32(w, db->owner_oid);
    eng_w_opt_str(w, db->comment);
    eng_ser_acl(w, db->acl);
    eng_w_u32(w, db->schema_count);
    for (uint32_t i = 0; i < db->schema_count; i++) {
        eng_w_u32(w, db->schemas[i].oid);
        eng_w_str(w, db->schemas[i].name);
        eng_w_u32(w, db->schemas[i].owner_oid);
        eng_w_opt_str(w, db->schemas[i].comment);
        eng_ser_acl(w, db->schemas[i].acl);
    }
    eng_w_u32(w, db->table_count);
    for (uint32_t i = 0; i < db->table_count; i++) eng_catalog_write_table(w, &db->tables[i]);
    eng_w_u32(w, db->sequence_count);
    for (uint32_t i = 0; i < db->sequence_count; i++) eng_ser_sequence(w, &db->sequences[i]);
    eng_w_u32(w, db->extension_count);
    for (uint32_t i = 0; i < db->extension_count; i++) {
        eng_w_u32(w, db->extensions[i].oid);
        eng_w_str(w, db->extensions[i].name);
        eng_w_u32(w, db->extensions[i].schema_oid);
        eng_w_str(w, db->extensions[i].version);
    }
    eng_w_u32(w, db->domain_count);
    for (uint32_t i = 0; i < db->domain_count; i++) eng_ser_domain(w, &db->domains[i]);
    eng_w_u32(w, db->enum_count);
    for (uint32_t i = 0; i < db->enum_count; i++) eng_ser_enum(w, &db->enums[i]);
}

static void eng_ser_role(eng_codec_w *w, const eng_role *r) {
    eng_w_u32(w, r->oid);
    eng_w_str(w, r->name);
    eng_w_u32(w, (uint32_t)r->superuser | (uint32_t)r->inherit << 1 | (uint32_t)r->createrole << 2 |
                     (uint32_t)r->createdb << 3 | (uint32_t)r->login << 4 |
                     (uint32_t)r->replication << 5 | (uint32_t)r->bypassrls << 6);
    eng_w_u32(w, (uint32_t)r->connection_limit);
    eng_w_opt_str(w, r->password);
    eng_w_u64(w, (uint64_t)r->valid_until_us);
}

bool eng_catalog_serialize(const eng_catalog *c, uint8_t **out, uint64_t *out_len, rt_err *err) {
    (void)err;
    eng_codec_w w;
    eng_w_init(&w);
    eng_w_u32(&w, ENG_CATALOG_MAGIC);
    eng_w_u32(&w, ENG_CATALOG_FORMAT);
    eng_w_u64(&w, c->version);
    eng_w_u32(&w, c->next_oid);
    eng_w_u64(&w, c->next_storage_id);
    eng_w_u32(&w, c->role_count);
    for (uint32_t i = 0; i < c->role_count; i++) eng_ser_role(&w, &c->roles[i]);
    eng_w_u32(&w, c->member_count);
    for (uint32_t i = 0; i < c->member_count; i++) {
        eng_w_u32(&w, c->members[i].role);
        eng_w_u32(&w, c->members[i].member);
        eng_w_u32(&w, c->members[i].grantor);
        eng_w_u32(&w, c->members[i].admin);
    }
    eng_w_u32(&w, c->db_count);
    for (uint32_t i = 0; i < c->db_count; i++) eng_ser_db(&w, &c->dbs[i]);
    *out = w.buf;
    *out_len = w.len;
    return true;
}

/* ---- reading ---- */

/* An access list (format 2 on); format 1 had none: the defaults. */
static const eng_acl *eng_de_acl(eng_codec_r *r, eng_catalog *c, uint32_t format) {
    if (format == ENG_CATALOG_FORMAT_V1) return NULL;
    uint32_t n = eng_r_u32(r);
    if (n == UINT32_MAX || !eng_r_ok(r)) return NULL;
    if (n > ENG_ACL_ITEMS_MAX) {
        eng_r_fail(r, "access list too long");
        return NULL;
    }
    uint32_t bytes = (uint32_t)(sizeof(eng_acl) + n * sizeof(eng_aclitem));
    eng_acl *acl = rt_xmalloc(bytes);
    acl->count = n;
    for (uint32_t i = 0; i < n; i++) {
        acl->items[i].grantee = eng_r_u32(r);
        acl->items[i].grantor = eng_r_u32(r);
        acl->items[i].privs = eng_r_u32(r);
        acl->items[i].grant_options = eng_r_u32(r);
    }
    const eng_acl *out = eng_draft_acl(c, acl);
    rt_free(acl);
    return out;
}

static void eng_de_name(eng_codec_r *r, char *dst) {
    const char *s = eng_r_str(r);
    if (s != NULL && strlen(s) < ENG_NAME_BYTES) {
        snprintf(dst, ENG_NAME_BYTES, "%s", s);
    } else {
        eng_r_fail(r, "name too long");
    }
}

static uint16_t eng_de_attnums(eng_codec_r *r, uint16_t *attnums) {
    uint32_t n = eng_r_u32(r);
    if (n > ENG_INDEX_COLUMNS_MAX) {
        eng_r_fail(r, "too many key columns");
        return 0;
    }
    for (uint32_t i = 0; i < n; i++) attnums[i] = (uint16_t)eng_r_u32(r);
    return (uint16_t)n;
}

static void eng_de_column(eng_codec_r *r, eng_catalog *c, eng_column *col, uint32_t format) {
    eng_de_name(r, col->name);
    col->type_oid = eng_r_u32(r);
    col->typmod = (int32_t)eng_r_u32(r);
    col->attnum = (uint16_t)eng_r_u32(r);
    col->store = (uint8_t)eng_r_u32(r);
    uint32_t flags = eng_r_u32(r);
    col->not_null = flags & 1;
    col->dropped = (flags >> 1) & 1;
    uint32_t idg = eng_r_u32(r);
    col->identity = (char)(idg & 0xff);
    col->generated = (char)(idg >> 8);
    col->vector_dims = eng_r_u32(r);
    col->collation = eng_r_u32(r);
    col->default_text = eng_draft_strdup(c, eng_r_opt_str(r));
    col->default_seq = eng_r_u32(r);
    uint32_t mlen;
    const uint8_t *m = eng_r_bytes(r, &mlen);
    bool has_missing = eng_r_u32(r) != 0;
    if (has_missing) {
        col->missing = mlen > 0 ? eng_cat_memdup(c, m, mlen) : (const uint8_t *)"";
        col->missing_len = mlen;
    }
    col->comment = eng_draft_strdup(c, eng_r_opt_str(r));
    if (format >= ENG_CATALOG_FORMAT_V3) col->domain_oid = eng_r_u32(r);
    if ((flags >> 2) & 1) col->acl = eng_de_acl(r, c, format);
}

static void eng_de_index(eng_codec_r *r, eng_catalog *c, eng_index *ix) {
    ix->oid = eng_r_u32(r);
    eng_de_name(r, ix->name);
    ix->table_oid = eng_r_u32(r);
    ix->method = (eng_index_method)eng_r_u32(r);
    uint32_t flags = eng_r_u32(r);
    ix->unique = flags & 1;
    ix->primary = (flags >> 1) & 1;
    ix->automatic = (flags >> 2) & 1;
    ix->nulls_not_distinct = (flags >> 3) & 1;
    bool exprs = (flags >> 4) & 1;
    ix->invalid = (flags >> 5) & 1;
    ix->building = (flags >> 6) & 1;
    ix->column_count = eng_de_attnums(r, ix->attnums);
    for (uint32_t i = 0; i < ix->column_count; i++) {
        uint32_t dir = eng_r_u32(r);
        ix->desc[i] = (dir & 1) != 0;
        ix->nulls_first[i] = ix->desc[i] != ((dir & 2) != 0);
        ix->opclass[i] = eng_draft_strdup(c, eng_r_opt_str(r));
        if (exprs) ix->expr_text[i] = eng_draft_strdup(c, eng_r_opt_str(r));
    }
    ix->predicate_text = eng_draft_strdup(c, eng_r_opt_str(r));
    ix->options_text = eng_draft_strdup(c, eng_r_opt_str(r));
    ix->metric = (eng_metric)eng_r_u32(r);
    ix->hnsw_m = (uint16_t)eng_r_u32(r);
    ix->hnsw_ef_construction = (uint16_t)eng_r_u32(r);
    ix->comment = eng_draft_strdup(c, eng_r_opt_str(r));
    ix->relfilenode = (flags >> 7) & 1 ? eng_r_u32(r) : 0;
}

static void eng_de_constraint(eng_codec_r *r, eng_catalog *c, eng_constraint *k) {
    k->oid = eng_r_u32(r);
    eng_de_name(r, k->name);
    k->kind = (char)eng_r_u32(r);
    k->table_oid = eng_r_u32(r);
    k->column_count = eng_de_attnums(r, k->attnums);
    k->index_oid = eng_r_u32(r);
    k->check_text = eng_draft_strdup(c, eng_r_opt_str(r));
    k->ref_table_oid = eng_r_u32(r);
    for (uint32_t i = 0; i < k->column_count; i++) k->ref_attnums[i] = (uint16_t)eng_r_u32(r);
    uint32_t actions = eng_r_u32(r);
    k->on_delete = (char)(actions & 0xff);
    k->on_update = (char)((actions >> 8) & 0xff);
    k->match = (char)((actions >> 16) & 0xff);
    uint32_t flags = eng_r_u32(r);
    k->deferrable = flags & 1;
    k->deferred = (flags >> 1) & 1;
    k->validated = (flags >> 2) & 1;
    k->comment = eng_draft_strdup(c, eng_r_opt_str(r));
}

static void eng_de_table(eng_codec_r *r, eng_catalog *c, eng_table *t, uint32_t format) {
    memset(t, 0, sizeof *t);
    t->oid = eng_r_u32(r);
    eng_de_name(r, t->name);
    t->schema_oid = eng_r_u32(r);
    t->owner_oid = eng_r_u32(r);
    uint32_t kinds = eng_r_u32(r);
    t->kind = (char)(kinds & 0xff);
    t->persistence = (char)((kinds >> 8) & 0xff);
    t->on_commit = (char)((kinds >> 16) & 0xff);
    t->temp_session = eng_r_u32(r);
    t->storage_id = eng_r_u64(r);
    t->def_gen = eng_r_u64(r);
    t->partition_count = eng_r_u32(r);
    uint32_t ncol = eng_r_count(r, ENG_COLUMNS_MAX);
    t->column_count = (uint16_t)ncol;
    t->columns = rt_xcalloc(ncol + 1u, sizeof(eng_column));
    for (uint32_t i = 0; i < ncol && eng_r_ok(r); i++) {
        eng_de_column(r, c, &t->columns[i], format);
    }
    t->pk_count = eng_de_attnums(r, t->pk_attnums);
    t->index_count = eng_r_count(r, 4096);
    t->indexes = rt_xcalloc(t->index_count + 1u, sizeof(eng_index));
    for (uint32_t i = 0; i < t->index_count && eng_r_ok(r); i++) {
        eng_de_index(r, c, &t->indexes[i]);
    }
    t->constraint_count = eng_r_count(r, 4096);
    t->constraints = rt_xcalloc(t->constraint_count + 1u, sizeof(eng_constraint));
    for (uint32_t i = 0; i < t->constraint_count && eng_r_ok(r); i++) {
        eng_de_constraint(r, c, &t->constraints[i]);
    }
    t->fillfactor = (uint16_t)eng_r_u32(r);
    t->view_text = eng_draft_strdup(c, eng_r_opt_str(r));
    t->options_text = eng_draft_strdup(c, eng_r_opt_str(r));
    t->comment = eng_draft_strdup(c, eng_r_opt_str(r));
    t->acl = eng_de_acl(r, c, format);
    if (format >= ENG_CATALOG_FORMAT_V3) {
        t->rowtype_oid = eng_r_u32(r);
        t->rowtype_array_oid = eng_r_u32(r);
    }
    if (t->partition_count == 0 || t->partition_count > ENG_PARTITIONS_MAX) {
        if (t->kind == 'r') eng_r_fail(r, "bad partition count");
    }
}

static void eng_de_sequence(eng_codec_r *r, eng_catalog *c, eng_sequence *s,
                            uint32_t format) {
    s->oid = eng_r_u32(r);
    eng_de_name(r, s->name);
    s->schema_oid = eng_r_u32(r);
    s->owner_oid = eng_r_u32(r);
    s->type_oid = eng_r_u32(r);
    s->start = (int64_t)eng_r_u64(r);
    s->increment = (int64_t)eng_r_u64(r);
    s->min_value = (int64_t)eng_r_u64(r);
    s->max_value = (int64_t)eng_r_u64(r);
    s->cache = (int64_t)eng_r_u64(r);
    s->cycle = eng_r_u32(r) != 0;
    s->owned_by_table = eng_r_u32(r);
    s->owned_by_attnum = (uint16_t)eng_r_u32(r);
    s->persistence = (char)eng_r_u32(r);
    s->comment = eng_draft_strdup(c, eng_r_opt_str(r));
    s->acl = eng_de_acl(r, c, format);
}

static void eng_de_domains(eng_codec_r *r, eng_catalog *c, eng_database *db) {
    db->domain_count = eng_r_count(r, 1u << 20);
    db->domains = rt_xcalloc(db->domain_count + 1u, sizeof(eng_domain));
    for (uint32_t i = 0; i < db->domain_count && eng_r_ok(r); i++) {
        eng_domain *d = &db->domains[i];
        d->oid = eng_r_u32(r);
        d->array_oid = eng_r_u32(r);
        eng_de_name(r, d->name);
        d->schema_oid = eng_r_u32(r);
        d->owner_oid = eng_r_u32(r);
        d->base_oid = eng_r_u32(r);
        d->typmod = (int32_t)eng_r_u32(r);
        d->collation = eng_r_u32(r);
        d->not_null = eng_r_u32(r) != 0;
        d->default_text = eng_draft_strdup(c, eng_r_opt_str(r));
        d->comment = eng_draft_strdup(c, eng_r_opt_str(r));
        d->check_count = eng_r_count(r, ENG_DOMAIN_CHECKS_MAX);
        for (uint32_t k = 0; k < d->check_count && eng_r_ok(r); k++) {
            d->checks[k].oid = eng_r_u32(r);
            eng_de_name(r, d->checks[k].name);
            d->checks[k].check_text = eng_draft_strdup(c, eng_r_str(r));
        }
    }
}

static void eng_de_enums(eng_codec_r *r, eng_catalog *c, eng_database *db) {
    db->enum_count = eng_r_count(r, 1u << 20);
    db->enums = rt_xcalloc(db->enum_count + 1u, sizeof(eng_enum));
    for (uint32_t i = 0; i < db->enum_count && eng_r_ok(r); i++) {
        eng_enum *e = &db->enums[i];
        e->oid = eng_r_u32(r);
        e->array_oid = eng_r_u32(r);
        eng_de_name(r, e->name);
        e->schema_oid = eng_r_u32(r);
        e->owner_oid = eng_r_u32(r);
        e->comment = eng_draft_strdup(c, eng_r_opt_str(r));
        e->label_count = eng_r_count(r, ENG_ENUM_LABELS_MAX);
        eng_enum_label *labels = rt_xcalloc(e->label_count + 1u, sizeof(eng_enum_label));
        for (uint32_t k = 0; k < e->label_count && eng_r_ok(r); k++) {
            labels[k].oid = eng_r_u32(r);
            uint32_t bits = eng_r_u32(r);
            memcpy(&labels[k].sortorder, &bits, 4);
            eng_de_name(r, labels[k].name);
        }
        e->labels = (const eng_enum_label *)eng_cat_memdup(
            c, (const uint8_t *)labels, e->label_count * (uint32_t)sizeof(eng_enum_label));
        rt_free(labels);
        if (e->oid < SQL_OID_FIRST_USER || !eng_r_ok(r)) {
            eng_r_fail(r, "bad enum type");
        } else if (!sql_enum_note(e->oid, e->array_oid)) {
            eng_r_fail(r, "too many enum types");
        }
    }
}

static void eng_de_db(eng_codec_r *r, eng_catalog *c, eng_database *db, uint32_t format) {
    db->oid = eng_r_u32(r);
    eng_de_name(r, db->name);
    db->owner_oid = eng_r_u32(r);
    db->comment = eng_draft_strdup(c, eng_r_opt_str(r));
    db->acl = eng_de_acl(r, c, format);
    db->schema_count = eng_r_count(r, 1u << 20);
    db->schemas = rt_xcalloc(db->schema_count + 1u, sizeof(eng_schema));
    for (uint32_t i = 0; i < db->schema_count && eng_r_ok(r); i++) {
        db->schemas[i].oid = eng_r_u32(r);
        eng_de_name(r, db->schemas[i].name);
        db->schemas[i].owner_oid = eng_r_u32(r);
        db->schemas[i].comment = eng_draft_strdup(c, eng_r_opt_str(r));
        db->schemas[i].acl = eng_de_acl(r, c, format);
    }
    db->table_count = eng_r_count(r, 1u << 24);
    db->tables = rt_xcalloc(db->table_count + 1u, sizeof(eng_table));
    for (uint32_t i = 0; i < db->table_count && eng_r_ok(r); i++) {
        eng_de_table(r, c, &db->tables[i], format);
    }
    db->sequence_count = eng_r_count(r, 1u << 24);
    db->sequences = rt_xcalloc(db->sequence_count + 1u, sizeof(eng_sequence));
    for (uint32_t i = 0; i < db->sequence_count && eng_r_ok(r); i++) {
        eng_de_sequence(r, c, &db->sequences[i], format);
    }
    db->extension_count = eng_r_count(r, 4096);
    db->extensions = rt_xcalloc(db->extension_count + 1u, sizeof(eng_extension));
    for (uint32_t i = 0; i < db->extension_count && eng_r_ok(r); i++) {
        db->extensions[i].oid = eng_r_u32(r);
        eng_de_name(r, db->extensions[i].name);
        db->extensions[i].schema_oid = eng_r_u32(r);
        const char *v = eng_r_str(r);
        size_t vlen = v != NULL ? strlen(v) : 0;
        if (vlen >= sizeof db->extensions[i].version) {
            eng_r_fail(r, "extension version too long");
            vlen = 0;
        }
        if (vlen > 0) memcpy(db->extensions[i].version, v, vlen);
        db->extensions[i].version[vlen] = '\0';
    }
    if (format >= ENG_CATALOG_FORMAT_V3) eng_de_domains(r, c, db);
    if (format >= ENG_CATALOG_FORMAT) eng_de_enums(r, c, db);
    db->catalog = c;
}

static void eng_de_role(eng_codec_r *r, eng_catalog *c, eng_role *role) {
    role->oid = eng_r_u32(r);
    eng_de_name(r, role->name);
    uint32_t f = eng_r_u32(r);
    role->superuser = f & 1;
    role->inherit = (f >> 1) & 1;
    role->createrole = (f >> 2) & 1;
    role->createdb = (f >> 3) & 1;
    role->login = (f >> 4) & 1;
    role->replication = (f >> 5) & 1;
    role->bypassrls = (f >> 6) & 1;
    role->connection_limit = (int32_t)eng_r_u32(r);
    role->password = eng_draft_strdup(c, eng_r_opt_str(r));
    role->valid_until_us = (int64_t)eng_r_u64(r);
}

static void eng_de_members(eng_codec_r *r, eng_catalog *c) {
    c->member_count = eng_r_count(r, 1u << 20);
    c->members = rt_xrealloc(c->members, (c->member_count + 1u) * sizeof(eng_member));
    memset(c->members, 0, (c->member_count + 1u) * sizeof(eng_member));
    for (uint32_t i = 0; i < c->member_count && eng_r_ok(r); i++) {
        c->members[i].role = eng_r_u32(r);
        c->members[i].member = eng_r_u32(r);
        c->members[i].grantor = eng_r_u32(r);
        c->members[i].admin = eng_r_u32(r) != 0;
    }
}

eng_catalog *eng_catalog_deserialize(const uint8_t *data, uint64_t len, rt_err *err) {
    eng_codec_r r;
    eng_r_init(&r, data, len);
    uint32_t magic = eng_r_u32(&r), format = eng_r_u32(&r);
    if (magic != ENG_CATALOG_MAGIC ||
        (format != ENG_CATALOG_FORMAT && format != ENG_CATALOG_FORMAT_V3 &&
         format != ENG_CATALOG_FORMAT_V2 &&
         format != ENG_CATALOG_FORMAT_V1)) {
        rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "catalog file has a wrong magic or format");
        return NULL;
    }
    eng_catalog *c = eng_cat_new();
    c->version = eng_r_u64(&r);
    c->next_oid = eng_r_u32(&r);
    c->next_storage_id = eng_r_u64(&r);
    c->role_count = eng_r_count(&r, 1u << 20);
    c->roles = rt_xrealloc(c->roles, (c->role_count + 1u) * sizeof(eng_role));
    memset(c->roles, 0, (c->role_count + 1u) * sizeof(eng_role));
    for (uint32_t i = 0; i < c->role_count && eng_r_ok(&r); i++) eng_de_role(&r, c, &c->roles[i]);
    if (format != ENG_CATALOG_FORMAT_V1) eng_de_members(&r, c);
    c->db_count = eng_r_count(&r, 1u << 16);
    c->dbs = rt_xrealloc(c->dbs, (c->db_count + 1u) * sizeof(eng_database));
    memset(c->dbs, 0, (c->db_count + 1u) * sizeof(eng_database));
    for (uint32_t i = 0; i < c->db_count && eng_r_ok(&r); i++) eng_de_db(&r, c, &c->dbs[i], format);
    if (!eng_r_ok(&r) || r.pos != r.len) {
        rt_err_set(err, SQLSTATE_DATA_CORRUPTED, "catalog data is corrupt: %s",
                   r.failure != NULL ? r.failure : "trailing bytes");
        eng_cat_free(c);
        return NULL;
    }
    eng_boot_predefined_roles(c);
    c->index_dirty = true;
    return c;
}
