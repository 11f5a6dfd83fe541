/* eng_catalog.c: catalog versions: bootstrap, copy-on-write drafts, publication with epoch
 * reclamation, lookups through a hash index built once per version. Serialisation is in
 * eng_catalog_io.c. */
#include "engine/eng_catalog_int.h"

#include <ck_epoch.h>
#include <stdatomic.h>
#include <string.h>

#include "runtime/rt_loop.h"
#include "runtime/rt_mem.h"
#include "sql/sql_enum.h"

static _Atomic(eng_catalog *) eng_catalog_current;
static ck_epoch_t eng_catalog_epoch;
static ck_epoch_record_t *eng_catalog_records[RT_SHARDS_MAX + 1];
static _Atomic uint64_t eng_catalog_ddl_owner;
static _Atomic bool eng_catalog_epoch_ready;

/* ---- strings owned by a version ---- */

const char *eng_draft_strdup(eng_catalog *c, const char *s) {
    if (s == NULL) return NULL;
    size_t n = strlen(s) + 1;
    eng_cat_chunk *ch = c->chunks;
    if (ch == NULL || ch->used + n > ch->size) {
        size_t size = n > ENG_CAT_CHUNK_BYTES ? n : ENG_CAT_CHUNK_BYTES;
        eng_cat_chunk *fresh = rt_xmalloc(sizeof *fresh + size);
        fresh->size = size;
        fresh->used = 0;
        fresh->next = ch;
        c->chunks = fresh;
        ch = fresh;
    }
    char *p = ch->data + ch->used;
    memcpy(p, s, n);
    ch->used += n;
    return p;
}

const uint8_t *eng_cat_memdup(eng_catalog *c, const uint8_t *p, uint32_t len) {
    if (p == NULL || len == 0) return NULL;
    eng_cat_chunk *ch = c->chunks;
    if (ch == NULL || ch->used + len + 8 > ch->size) {
        size_t size = len + 8 > ENG_CAT_CHUNK_BYTES ? len + 8 : ENG_CAT_CHUNK_BYTES;
        eng_cat_chunk *fresh = rt_xmalloc(sizeof *fresh + size);
        fresh->size = size;
        fresh->used = 0;
        fresh->next = ch;
        c->chunks = fresh;
        ch = fresh;
    }
    ch->used = (ch->used + 7) & ~(size_t)7;
    uint8_t *out = (uint8_t *)ch->data + ch->used;
    memcpy(out, p, len);
    ch->used += len;
    return out;
}

/* ---- deep copies ---- */

const eng_acl *eng_draft_acl(eng_catalog *c, const eng_acl *acl) {
    if (acl == NULL) return NULL;
    uint32_t len = (uint32_t)(sizeof *acl + acl->count * sizeof(eng_aclitem));
    return (const eng_acl *)eng_cat_memdup(c, (const uint8_t *)acl, len);
}

static void eng_cat_copy_column(eng_catalog *c, eng_column *dst, const eng_column *src) {
    *dst = *src;
    dst->default_text = eng_draft_strdup(c, src->default_text);
    dst->comment = eng_draft_strdup(c, src->comment);
    dst->acl = eng_draft_acl(c, src->acl);
    /* An empty missing value ('' for ADD COLUMN ... DEFAULT '') is not NULL. */
    dst->missing = src->missing != NULL && src->missing_len == 0
                       ? (const uint8_t *)""
                       : eng_cat_memdup(c, src->missing, src->missing_len);
}

static void eng_cat_copy_index(eng_catalog *c, eng_index *dst, const eng_index *src) {
    *dst = *src;
    for (uint32_t i = 0; i < src->column_count; i++) {
        dst->opclass[i] = eng_draft_strdup(c, src->opclass[i]);
        dst->expr_text[i] = eng_draft_strdup(c, src->expr_text[i]);
    }
    dst->predicate_text = eng_draft_strdup(c, src->predicate_text);
    dst->options_text = eng_draft_strdup(c, src->options_text);
    dst->comment = eng_draft_strdup(c, src->comment);
}

static void eng_cat_copy_table(eng_catalog *c, eng_table *dst, const eng_table *src) {
    *dst = *src;
    dst->columns = rt_xcalloc(src->column_count + 1u, sizeof(eng_column));
    for (uint32_t i = 0; i < src->column_count; i++) {
        eng_cat_copy_column(c, &dst->columns[i], &src->columns[i]);
    }
    dst->indexes = rt_xcalloc(src->index_count + 1u, sizeof(eng_index));
    for (uint32_t i = 0; i < src->index_count; i++) {
        eng_cat_copy_index(c, &dst->indexes[i], &src->indexes[i]);
    }
    dst->constraints = rt_xcalloc(src->constraint_count + 1u, sizeof(eng_constraint));
    for (uint32_t i = 0; i < src->constraint_count; i++) {
        dst->constraints[i] = src->constraints[i];
        dst->constraints[i].check_text = eng_draft_strdup(c, src->constraints[i].check_text);
        dst->constraints[i].comment = eng_draft_strdup(c, src->constraints[i].comment);
    }
    dst->view_text = eng_draft_strdup(c, src->view_text);
    dst->options_text = eng_draft_strdup(c, src->options_text);
    dst->comment = eng_draft_strdup(c, src->comment);
    dst->acl = eng_draft_acl(c, src->acl);
}

static void eng_cat_free_table(eng_table *t) {
    rt_free(t->columns);
    rt_free(t->indexes);
    rt_free(t->constraints);
}

static void eng_cat_copy_domain(eng_catalog *c, eng_domain *dst, const eng_domain *src) {
    *dst = *src;
    dst->default_text = eng_draft_strdup(c, src->default_text);
    dst->comment = eng_draft_strdup(c, src->comment);
    for (uint32_t k = 0; k < src->check_count; k++) {
        dst->checks[k].check_text = eng_draft_strdup(c, src->checks[k].check_text);
    }
}

static void eng_cat_copy_enum(eng_catalog *c, eng_enum *dst, const eng_enum *src) {
    *dst = *src;
    dst->comment = eng_draft_strdup(c, src->comment);
    dst->labels = (const eng_enum_label *)eng_cat_memdup(
        c, (const uint8_t *)src->labels, src->label_count * (uint32_t)sizeof(eng_enum_label));
    bool noted = sql_enum_note(src->oid, src->array_oid); /* known already but in tests */
    RT_ASSERT(noted);
}

static void eng_cat_copy_db(eng_catalog *c, eng_database *dst, const eng_database *src) {
    *dst = *src;
    dst->comment = eng_draft_strdup(c, src->comment);
    dst->acl = eng_draft_acl(c, src->acl);
    dst->schemas = rt_xcalloc(src->schema_count + 1u, sizeof(eng_schema));
    for (uint32_t i = 0; i < src->schema_count; i++) {
        dst->schemas[i] = src->schemas[i];
        dst->schemas[i].comment = eng_draft_strdup(c, src->schemas[i].comment);
        dst->schemas[i].acl = eng_draft_acl(c, src->schemas[i].acl);
    }
    dst->tables = rt_xcalloc(src->table_count + 1u, sizeof(eng_table));
    for (uint32_t i = 0; i < src->table_count; i++) {
        eng_cat_copy_table(c, &dst->tables[i], &src->tables[i]);
    }
    dst->sequences = rt_xcalloc(src->sequence_count + 1u, sizeof(eng_sequence));
    for (uint32_t i = 0; i < src->sequence_count; i++) {
        dst->sequences[i] = src->sequences[i];
        dst->sequences[i].comment = eng_draft_strdup(c, src->sequences[i].comment);
        dst->sequences[i].acl = eng_draft_acl(c, src->sequences[i].acl);
    }
    dst->extensions = rt_xcalloc(src->extension_count + 1u, sizeof(eng_extension));
    if (src->extension_count > 0) {
        memcpy(dst->extensions, src->extensions, src->extension_count * sizeof(eng_extension));
    }
    dst->domains = rt_xcalloc(src->domain_count + 1u, sizeof(eng_domain));
    for (uint32_t i = 0; i < src->domain_count; i++) {
        eng_cat_copy_domain(c, &dst->domains[i], &src->domains[i]);
    }
    dst->enums = rt_xcalloc(src->enum_count + 1u, sizeof(eng_enum));
    for (uint32_t i = 0; i < src->enum_count; i++) {
        eng_cat_copy_enum(c, &dst->enums[i], &src->enums[i]);
    }
}

static void eng_cat_free_db(eng_database *db) {
    for (uint32_t i = 0; i < db->table_count; i++) eng_cat_free_table(&db->tables[i]);
    rt_free(db->tables);
    rt_free(db->schemas);
    rt_free(db->sequences);
    rt_free(db->extensions);
    rt_free(db->domains);
    rt_free(db->enums);
}

eng_catalog *eng_cat_new(void) {
    eng_catalog *c = rt_xcalloc(1, sizeof *c);
    c->roles = rt_xcalloc(1, sizeof(eng_role));
    c->members = rt_xcalloc(1, sizeof(eng_member));
    c->dbs = rt_xcalloc(1, sizeof(eng_database));
    return c;
}

void eng_cat_free(eng_catalog *c) {
    if (c == NULL) return;
    for (uint32_t i = 0; i < c->db_count; i++) eng_cat_free_db(&c->dbs[i]);
    rt_free(c->dbs);
    rt_free(c->roles);
    rt_free(c->members);
    rt_free(c->index.slots);
    eng_cat_chunk *ch = c->chunks;
    while (ch != NULL) {
        eng_cat_chunk *next = ch->next;
        rt_free(ch);
        ch = next;
    }
    rt_free(c);
}

eng_catalog *eng_catalog_draft(const eng_catalog *base) {
    eng_catalog *c = eng_cat_new();
    /* The version it gets when published (DDL is one transaction at a time), so the decision
     * record that carries it orders after the version a catalog checkpoint may hold. */
    c->version = base->version + 1;
    c->next_oid = base->next_oid;
    c->next_storage_id = base->next_storage_id;
    c->role_count = base->role_count;
    c->roles = rt_xrealloc(c->roles, (base->role_count + 1u) * sizeof(eng_role));
    for (uint32_t i = 0; i < base->role_count; i++) {
        c->roles[i] = base->roles[i];
        c->roles[i].password = eng_draft_strdup(c, base->roles[i].password);
    }
    c->member_count = base->member_count;
    c->members = rt_xrealloc(c->members, (base->member_count + 1u) * sizeof(eng_member));
    if (base->member_count > 0) {
        memcpy(c->members, base->members, base->member_count * sizeof(eng_member));
    }
    c->db_count = base->db_count;
    c->dbs = rt_xrealloc(c->dbs, (base->db_count + 1u) * sizeof(eng_database));
    for (uint32_t i = 0; i < base->db_count; i++) eng_cat_copy_db(c, &c->dbs[i], &base->dbs[i]);
    /* Lookups by name in the draft's databases must use the draft's index, not the base's. */
    for (uint32_t i = 0; i < c->db_count; i++) c->dbs[i].catalog = c;
    c->index_dirty = true;
    return c;
}

void eng_catalog_draft_free(eng_catalog *draft) { eng_cat_free(draft); }

uint64_t eng_catalog_version(const eng_catalog *c) { return c->version; }

/* The next oid past every oid this process handed out: a draft rolled back gives none of its
 * oids to the next draft (as PostgreSQL's OID counter), so an oid the enum registry
 * (sql_enum.h) took for a type is never another object's. */
static _Atomic uint32_t eng_catalog_oid_floor;

uint32_t eng_catalog_new_oid(eng_catalog *draft) {
    uint32_t floor = atomic_load(&eng_catalog_oid_floor);
    if (draft->next_oid < floor) draft->next_oid = floor;
    uint32_t oid = draft->next_oid++;
    while (floor < draft->next_oid &&
           !atomic_compare_exchange_weak(&eng_catalog_oid_floor, &floor, draft->next_oid)) {
    }
    return oid;
}

static _Atomic uint64_t eng_catalog_def_counter = 1;

uint64_t eng_catalog_def_gen(void) { return atomic_fetch_add(&eng_catalog_def_counter, 1) + 1; }

uint64_t eng_catalog_new_storage_id(eng_catalog *draft) { return draft->next_storage_id++; }

/* ---- the lookup index: open addressing over (kind, db, schema, name) ---- */

static uint64_t eng_cat_hash(uint32_t kind, uint32_t db, uint32_t schema, const char *name) {
    uint64_t h = 1469598103934665603ull ^ ((uint64_t)kind << 48 | (uint64_t)db << 24 | schema);
    for (const char *p = name; *p != '\0'; p++) h = (h ^ (uint8_t)*p) * 1099511628211ull;
    h ^= h >> 29;
    return h == 0 ? 1 : h;
}

static void eng_cat_index_put(eng_cat_index *ix, uint64_t hash, uint32_t kind, uint32_t db_i,
                              uint32_t obj_i) {
    uint32_t mask = ix->cap - 1;
    for (uint32_t i = (uint32_t)hash & mask;; i = (i + 1) & mask) {
        if (ix->slots[i].hash == 0) {
            ix->slots[i] = (eng_cat_slot){.hash = hash, .kind = kind, .db = db_i, .obj = obj_i};
            return;
        }
    }
}

static void eng_cat_index_build(eng_catalog *c) {
    uint32_t n = c->role_count + c->db_count;
    for (uint32_t d = 0; d < c->db_count; d++) {
        n += c->dbs[d].table_count + c->dbs[d].sequence_count + c->dbs[d].schema_count;
    }
    uint32_t cap = 64;
    while (cap < n * 2) cap <<= 1;
    rt_free(c->index.slots);
    c->index.slots = rt_xcalloc(cap, sizeof(eng_cat_slot));
    c->index.cap = cap;
    for (uint32_t r = 0; r < c->role_count; r++) {
        eng_cat_index_put(&c->index, eng_cat_hash(ENG_CAT_K_ROLE, 0, 0, c->roles[r].name),
                          ENG_CAT_K_ROLE, 0, r);
    }
    for (uint32_t d = 0; d < c->db_count; d++) {
        eng_database *db = &c->dbs[d];
        eng_cat_index_put(&c->index, eng_cat_hash(ENG_CAT_K_DB, 0, 0, db->name), ENG_CAT_K_DB,
                          d, d);
        for (uint32_t i = 0; i < db->schema_count; i++) {
            eng_cat_index_put(&c->index,
                              eng_cat_hash(ENG_CAT_K_SCHEMA, db->oid, 0, db->schemas[i].name),
                              ENG_CAT_K_SCHEMA, d, i);
        }
        for (uint32_t i = 0; i < db->table_count; i++) {
            eng_table *t = &db->tables[i];
            eng_cat_index_put(&c->index, eng_cat_hash(ENG_CAT_K_TABLE, db->oid, t->schema_oid,
                                                      t->name), ENG_CAT_K_TABLE, d, i);
        }
        for (uint32_t i = 0; i < db->sequence_count; i++) {
            eng_sequence *s = &db->sequences[i];
            eng_cat_index_put(&c->index, eng_cat_hash(ENG_CAT_K_SEQUENCE, db->oid,
                                                      s->schema_oid, s->name),
                              ENG_CAT_K_SEQUENCE, d, i);
        }
    }
    c->index_dirty = false;
}

/* Finds (kind, db, schema, name); -1 if absent. Drafts rebuild their index after edits. */
static int64_t eng_cat_find(const eng_catalog *cc, uint32_t kind, uint32_t db_oid,
                            uint32_t schema_oid, const char *name, uint32_t *db_index) {
    eng_catalog *c = (eng_catalog *)cc; /* the index is a cache: rebuilt, never semantic */
    if (c->index_dirty || c->index.slots == NULL) eng_cat_index_build(c);
    uint64_t h = eng_cat_hash(kind, db_oid, schema_oid, name);
    uint32_t mask = c->index.cap - 1;
    for (uint32_t i = (uint32_t)h & mask; c->index.slots[i].hash != 0; i = (i + 1) & mask) {
        eng_cat_slot *s = &c->index.slots[i];
        if (s->hash != h || s->kind != kind) continue;
        const char *obj_name = NULL;
        if (kind == ENG_CAT_K_ROLE) obj_name = c->roles[s->obj].name;
        else if (kind == ENG_CAT_K_DB) obj_name = c->dbs[s->obj].name;
        else if (c->dbs[s->db].oid != db_oid) continue;
        else if (kind == ENG_CAT_K_SCHEMA) obj_name = c->dbs[s->db].schemas[s->obj].name;
        else if (kind == ENG_CAT_K_TABLE) {
            if (c->dbs[s->db].tables[s->obj].schema_oid != schema_oid) continue;
            obj_name = c->dbs[s->db].tables[s->obj].name;
        } else {
            if (c->dbs[s->db].sequences[s->obj].schema_oid != schema_oid) continue;
            obj_name = c->dbs[s->db].sequences[s->obj].name;
        }
        if (strcmp(obj_name, name) != 0) continue;
        if (db_index != NULL) *db_index = s->db;
        return s->obj;
    }
    return -1;
}

const eng_role *eng_catalog_role_by_name(const eng_catalog *c, const char *name) {
    int64_t i = eng_cat_find(c, ENG_CAT_K_ROLE, 0, 0, name, NULL);
    return i < 0 ? NULL : &c->roles[i];
}

const eng_role *eng_catalog_role_by_oid(const eng_catalog *c, uint32_t oid) {
    for (uint32_t i = 0; i < c->role_count; i++) {
        if (c->roles[i].oid == oid) return &c->roles[i];
    }
    return NULL;
}

uint32_t eng_catalog_role_count(const eng_catalog *c) { return c->role_count; }
const eng_role *eng_catalog_role_at(const eng_catalog *c, uint32_t i) { return &c->roles[i]; }

const eng_database *eng_catalog_db_by_name(const eng_catalog *c, const char *name) {
    int64_t i = eng_cat_find(c, ENG_CAT_K_DB, 0, 0, name, NULL);
    return i < 0 ? NULL : &c->dbs[i];
}

const eng_database *eng_catalog_db_by_oid(const eng_catalog *c, uint32_t oid) {
    for (uint32_t i = 0; i < c->db_count; i++) {
        if (c->dbs[i].oid == oid) return &c->dbs[i];
    }
    return NULL;
}

uint32_t eng_catalog_db_count(const eng_catalog *c) { return c->db_count; }
const eng_database *eng_catalog_db_at(const eng_catalog *c, uint32_t i) { return &c->dbs[i]; }

/* Database lookups go through the catalog's index: a database knows its catalog. */
const eng_schema *eng_db_schema_by_name(const eng_database *db, const char *name) {
    for (uint32_t i = 0; i < db->schema_count; i++) {
        if (strcmp(db->schemas[i].name, name) == 0) return &db->schemas[i];
    }
    return NULL;
}

const eng_schema *eng_db_schema_by_oid(const eng_database *db, uint32_t oid) {
    for (uint32_t i = 0; i < db->schema_count; i++) {
        if (db->schemas[i].oid == oid) return &db->schemas[i];
    }
    return NULL;
}

const eng_table *eng_db_table_by_name(const eng_database *db, uint32_t schema_oid,
                                      const char *name) {
    const eng_catalog *c = db->catalog;
    int64_t i = eng_cat_find(c, ENG_CAT_K_TABLE, db->oid, schema_oid, name, NULL);
    return i < 0 ? NULL : &db->tables[i];
}

const eng_table *eng_db_table_by_oid(const eng_database *db, uint32_t oid) {
    for (uint32_t i = 0; i < db->table_count; i++) {
        if (db->tables[i].oid == oid) return &db->tables[i];
    }
    return NULL;
}

const eng_sequence *eng_db_sequence_by_name(const eng_database *db, uint32_t schema_oid,
                                            const char *name) {
    int64_t i = eng_cat_find(db->catalog, ENG_CAT_K_SEQUENCE, db->oid, schema_oid, name, NULL);
    return i < 0 ? NULL : &db->sequences[i];
}

const eng_sequence *eng_db_sequence_by_oid(const eng_database *db, uint32_t oid) {
    for (uint32_t i = 0; i < db->sequence_count; i++) {
        if (db->sequences[i].oid == oid) return &db->sequences[i];
    }
    return NULL;
}

const eng_table *eng_db_table_of_index(const eng_database *db, uint32_t index_oid,
                                       const eng_index **index) {
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        for (uint32_t j = 0; j < t->index_count; j++) {
            if (t->indexes[j].oid != index_oid) continue;
            if (index != NULL) *index = &t->indexes[j];
            return t;
        }
    }
    return NULL;
}

const eng_column *eng_table_column_by_name(const eng_table *t, const char *name) {
    for (uint32_t i = 0; i < t->column_count; i++) {
        if (!t->columns[i].dropped && strcmp(t->columns[i].name, name) == 0) {
            return &t->columns[i];
        }
    }
    return NULL;
}

const eng_column *eng_table_column_by_attnum(const eng_table *t, uint16_t attnum) {
    if (attnum == 0 || attnum > t->column_count) return NULL;
    return &t->columns[attnum - 1];
}

/* ---- draft editing ---- */

static void eng_cat_fix_backrefs(eng_catalog *c) {
    for (uint32_t i = 0; i < c->db_count; i++) c->dbs[i].catalog = c;
    c->index_dirty = true;
}

eng_database *eng_draft_db(eng_catalog *draft, uint32_t db_oid) {
    for (uint32_t i = 0; i < draft->db_count; i++) {
        if (draft->dbs[i].oid == db_oid) return &draft->dbs[i];
    }
    return NULL;
}

eng_table *eng_draft_table(eng_catalog *draft, uint32_t db_oid, uint32_t table_oid) {
    eng_database *db = eng_draft_db(draft, db_oid);
    if (db == NULL) return NULL;
    for (uint32_t i = 0; i < db->table_count; i++) {
        if (db->tables[i].oid == table_oid) return &db->tables[i];
    }
    return NULL;
}

eng_database *eng_draft_add_db(eng_catalog *draft, const eng_database *db) {
    draft->dbs = rt_xrealloc(draft->dbs, (draft->db_count + 2u) * sizeof(eng_database));
    eng_database *d = &draft->dbs[draft->db_count++];
    eng_cat_copy_db(draft, d, db);
    eng_cat_fix_backrefs(draft);
    return d;
}

eng_table *eng_draft_add_table(eng_catalog *draft, uint32_t db_oid, const eng_table *t) {
    eng_database *db = eng_draft_db(draft, db_oid);
    RT_ASSERT(db != NULL);
    db->tables = rt_xrealloc(db->tables, (db->table_count + 2u) * sizeof(eng_table));
    eng_table *dst = &db->tables[db->table_count++];
    eng_cat_copy_table(draft, dst, t);
    if ((t->kind == 'r' || t->kind == 'v' || t->kind == 'c') && t->rowtype_oid == 0) {
        dst->rowtype_oid = eng_catalog_new_oid(draft);
        dst->rowtype_array_oid = eng_catalog_new_oid(draft);
    }
    draft->index_dirty = true;
    return dst;
}

void eng_draft_replace_table(eng_catalog *draft, uint32_t db_oid, const eng_table *t) {
    eng_table *dst = eng_draft_table(draft, db_oid, t->oid);
    RT_ASSERT(dst != NULL);
    eng_table copy;
    eng_cat_copy_table(draft, &copy, t); /* t may point into *dst: copy first */
    eng_cat_free_table(dst);
    *dst = copy;
    draft->index_dirty = true;
}

eng_schema *eng_draft_add_schema(eng_catalog *draft, uint32_t db_oid, const eng_schema *s) {
    eng_database *db = eng_draft_db(draft, db_oid);
    RT_ASSERT(db != NULL);
    db->schemas = rt_xrealloc(db->schemas, (db->schema_count + 2u) * sizeof(eng_schema));
    eng_schema *dst = &db->schemas[db->schema_count++];
    *dst = *s;
    dst->comment = eng_draft_strdup(draft, s->comment);
    dst->acl = eng_draft_acl(draft, s->acl);
    draft->index_dirty = true;
    return dst;
}

eng_sequence *eng_draft_add_sequence(eng_catalog *draft, uint32_t db_oid,
                                     const eng_sequence *s) {
    eng_database *db = eng_draft_db(draft, db_oid);
    RT_ASSERT(db != NULL);
    db->sequences =
        rt_xrealloc(db->sequences, (db->sequence_count + 2u) * sizeof(eng_sequence));
    eng_sequence *dst = &db->sequences[db->sequence_count++];
    *dst = *s;
    dst->comment = eng_draft_strdup(draft, s->comment);
    dst->acl = eng_draft_acl(draft, s->acl);
    draft->index_dirty = true;
    return dst;
}

const eng_domain *eng_db_domain_by_name(const eng_database *db, uint32_t schema_oid,
                                        const char *name) {
    for (uint32_t i = 0; i < db->domain_count; i++) {
        const eng_domain *d = &db->domains[i];
        if (d->schema_oid == schema_oid && strcmp(d->name, name) == 0) return d;
    }
    return NULL;
}

const eng_domain *eng_db_domain_by_oid(const eng_database *db, uint32_t oid) {
    for (uint32_t i = 0; oid != 0 && i < db->domain_count; i++) {
        if (db->domains[i].oid == oid || db->domains[i].array_oid == oid) return &db->domains[i];
    }
    return NULL;
}

const eng_enum *eng_db_enum_by_name(const eng_database *db, uint32_t schema_oid,
                                    const char *name) {
    for (uint32_t i = 0; i < db->enum_count; i++) {
        const eng_enum *e = &db->enums[i];
        if (e->schema_oid == schema_oid && strcmp(e->name, name) == 0) return e;
    }
    return NULL;
}

const eng_enum *eng_db_enum_by_oid(const eng_database *db, uint32_t oid) {
    for (uint32_t i = 0; oid != 0 && i < db->enum_count; i++) {
        if (db->enums[i].oid == oid || db->enums[i].array_oid == oid) return &db->enums[i];
    }
    return NULL;
}

void eng_draft_put_enum(eng_catalog *draft, uint32_t db_oid, const eng_enum *e) {
    eng_database *db = eng_draft_db(draft, db_oid);
    RT_ASSERT(db != NULL);
    eng_enum copy;
    eng_cat_copy_enum(draft, &copy, e); /* e may point into the array */
    for (uint32_t i = 0; i < db->enum_count; i++) {
        if (db->enums[i].oid != e->oid) continue;
        db->enums[i] = copy;
        return;
    }
    db->enums = rt_xrealloc(db->enums, (db->enum_count + 2u) * sizeof(eng_enum));
    db->enums[db->enum_count++] = copy;
}

eng_domain *eng_draft_add_domain(eng_catalog *draft, uint32_t db_oid, const eng_domain *d) {
    eng_database *db = eng_draft_db(draft, db_oid);
    RT_ASSERT(db != NULL);
    db->domains = rt_xrealloc(db->domains, (db->domain_count + 2u) * sizeof(eng_domain));
    eng_domain *dst = &db->domains[db->domain_count++];
    eng_cat_copy_domain(draft, dst, d);
    return dst;
}

void eng_draft_replace_domain(eng_catalog *draft, uint32_t db_oid, const eng_domain *d) {
    eng_database *db = eng_draft_db(draft, db_oid);
    RT_ASSERT(db != NULL);
    for (uint32_t i = 0; i < db->domain_count; i++) {
        if (db->domains[i].oid != d->oid) continue;
        eng_domain copy;
        eng_cat_copy_domain(draft, &copy, d); /* d may point into the array */
        db->domains[i] = copy;
        return;
    }
    RT_ASSERT(false);
}

eng_extension *eng_draft_add_extension(eng_catalog *draft, uint32_t db_oid,
                                       const eng_extension *e) {
    eng_database *db = eng_draft_db(draft, db_oid);
    RT_ASSERT(db != NULL);
    db->extensions =
        rt_xrealloc(db->extensions, (db->extension_count + 2u) * sizeof(eng_extension));
    eng_extension *dst = &db->extensions[db->extension_count++];
    *dst = *e;
    return dst;
}

eng_role *eng_draft_add_role(eng_catalog *draft, const eng_role *r) {
    draft->roles = rt_xrealloc(draft->roles, (draft->role_count + 2u) * sizeof(eng_role));
    eng_role *dst = &draft->roles[draft->role_count++];
    *dst = *r;
    dst->password = eng_draft_strdup(draft, r->password);
    draft->index_dirty = true;
    return dst;
}

eng_role *eng_draft_role(eng_catalog *draft, uint32_t oid) {
    for (uint32_t i = 0; i < draft->role_count; i++) {
        if (draft->roles[i].oid == oid) return &draft->roles[i];
    }
    return NULL;
}

#define ENG_CAT_REMOVE(array, count, i)                                                      \
    do {                                                                                     \
        memmove(&(array)[i], &(array)[(i) + 1], ((count) - (i) - 1) * sizeof((array)[0]));   \
        (count)--;                                                                           \
    } while (0)

/* Removes the element of array[0..count) whose oid is `key`, if there is one. */
#define ENG_CAT_REMOVE_OID(array, count, key)                                                \
    do {                                                                                     \
        for (uint32_t i_ = 0; i_ < (count); i_++) {                                          \
            if ((array)[i_].oid != (key)) continue;                                          \
            ENG_CAT_REMOVE(array, count, i_);                                                \
            break;                                                                           \
        }                                                                                    \
    } while (0)

void eng_draft_remove_table(eng_catalog *draft, uint32_t db_oid, uint32_t table_oid) {
    eng_database *db = eng_draft_db(draft, db_oid);
    for (uint32_t i = 0; db != NULL && i < db->table_count; i++) {
        if (db->tables[i].oid != table_oid) continue;
        eng_cat_free_table(&db->tables[i]);
        ENG_CAT_REMOVE(db->tables, db->table_count, i);
        break;
    }
    draft->index_dirty = true;
}

void eng_draft_remove_schema(eng_catalog *draft, uint32_t db_oid, uint32_t schema_oid) {
    eng_database *db = eng_draft_db(draft, db_oid);
    if (db != NULL) ENG_CAT_REMOVE_OID(db->schemas, db->schema_count, schema_oid);
    draft->index_dirty = true;
}

void eng_draft_remove_sequence(eng_catalog *draft, uint32_t db_oid, uint32_t seq_oid) {
    eng_database *db = eng_draft_db(draft, db_oid);
    if (db != NULL) ENG_CAT_REMOVE_OID(db->sequences, db->sequence_count, seq_oid);
    draft->index_dirty = true;
}

void eng_draft_remove_domain(eng_catalog *draft, uint32_t db_oid, uint32_t domain_oid) {
    eng_database *db = eng_draft_db(draft, db_oid);
    if (db != NULL) ENG_CAT_REMOVE_OID(db->domains, db->domain_count, domain_oid);
}

void eng_draft_remove_enum(eng_catalog *draft, uint32_t db_oid, uint32_t enum_oid) {
    eng_database *db = eng_draft_db(draft, db_oid);
    if (db != NULL) ENG_CAT_REMOVE_OID(db->enums, db->enum_count, enum_oid);
}

void eng_draft_remove_extension(eng_catalog *draft, uint32_t db_oid, uint32_t ext_oid) {
    eng_database *db = eng_draft_db(draft, db_oid);
    if (db != NULL) ENG_CAT_REMOVE_OID(db->extensions, db->extension_count, ext_oid);
}

void eng_draft_remove_db(eng_catalog *draft, uint32_t db_oid) {
    for (uint32_t i = 0; i < draft->db_count; i++) {
        if (draft->dbs[i].oid != db_oid) continue;
        eng_cat_free_db(&draft->dbs[i]);
        ENG_CAT_REMOVE(draft->dbs, draft->db_count, i);
        break;
    }
    eng_cat_fix_backrefs(draft);
}

void eng_draft_remove_role(eng_catalog *draft, uint32_t role_oid) {
    ENG_CAT_REMOVE_OID(draft->roles, draft->role_count, role_oid);
    /* A dropped role is no longer a member of anything, nor has members (as DROP ROLE). */
    for (uint32_t i = 0; i < draft->member_count;) {
        const eng_member *m = &draft->members[i];
        if (m->role == role_oid || m->member == role_oid) {
            ENG_CAT_REMOVE(draft->members, draft->member_count, i);
        } else {
            i++;
        }
    }
    draft->index_dirty = true;
}

uint32_t eng_catalog_member_count(const eng_catalog *c) { return c->member_count; }
const eng_member *eng_catalog_member_at(const eng_catalog *c, uint32_t i) {
    return &c->members[i];
}

void eng_draft_set_member(eng_catalog *draft, const eng_member *m) {
    for (uint32_t i = 0; i < draft->member_count; i++) {
        if (draft->members[i].role == m->role && draft->members[i].member == m->member) {
            draft->members[i] = *m;
            return;
        }
    }
    draft->members =
        rt_xrealloc(draft->members, (draft->member_count + 2u) * sizeof(eng_member));
    draft->members[draft->member_count++] = *m;
}

bool eng_draft_remove_member(eng_catalog *draft, uint32_t role, uint32_t member) {
    for (uint32_t i = 0; i < draft->member_count; i++) {
        if (draft->members[i].role != role || draft->members[i].member != member) continue;
        ENG_CAT_REMOVE(draft->members, draft->member_count, i);
        return true;
    }
    return false;
}

bool eng_catalog_has_storage(const eng_catalog *c, uint64_t storage_id) {
    for (uint32_t d = 0; d < c->db_count; d++) {
        for (uint32_t t = 0; t < c->dbs[d].table_count; t++) {
            if (c->dbs[d].tables[t].storage_id == storage_id) return true;
        }
    }
    return false;
}

/* ---- publication and reclamation ---- */

static void eng_catalog_epoch_init(void) {
    if (atomic_load(&eng_catalog_epoch_ready)) return;
    ck_epoch_init(&eng_catalog_epoch);
    atomic_store(&eng_catalog_epoch_ready, true);
}

/* The epoch record of the calling thread: one per shard, one for everything off the shards. */
static ck_epoch_record_t *eng_catalog_record(void) {
    int core = rt_core_id_or_none();
    uint32_t i = core < 0 ? RT_SHARDS_MAX : (uint32_t)core;
    if (eng_catalog_records[i] == NULL) {
        ck_epoch_record_t *r = rt_xcalloc(1, sizeof *r);
        ck_epoch_register(&eng_catalog_epoch, r, NULL);
        eng_catalog_records[i] = r;
    }
    return eng_catalog_records[i];
}

void eng_catalog_pin(eng_catalog_ref *ref) {
    ck_epoch_begin(eng_catalog_record(), &ref->section);
    ref->catalog = atomic_load_explicit(&eng_catalog_current, memory_order_acquire);
}

void eng_catalog_unpin(eng_catalog_ref *ref) {
    ck_epoch_end(eng_catalog_record(), &ref->section);
    ref->catalog = NULL;
}

/* The newest version freed so far: versions are retired in order (each publish retires the
 * one before it, and epochs free what was retired earlier first). */
static _Atomic uint64_t eng_catalog_freed_version;

static void eng_catalog_reclaim(ck_epoch_entry_t *entry) {
    eng_catalog *c = (eng_catalog *)((char *)entry - offsetof(eng_catalog, epoch_entry));
    uint64_t v = c->version, seen = atomic_load(&eng_catalog_freed_version);
    while (seen < v && !atomic_compare_exchange_weak(&eng_catalog_freed_version, &seen, v)) {}
    eng_cat_free(c);
}

bool eng_catalog_retired_before(uint64_t version) {
    eng_catalog_poll();
    return version <= 1 || atomic_load(&eng_catalog_freed_version) + 1 >= version;
}

void eng_catalog_publish(eng_catalog *draft) {
    eng_catalog *old = atomic_load(&eng_catalog_current);
    RT_ASSERT(old != NULL);
    draft->version = old->version + 1;
    eng_cat_fix_backrefs(draft);
    eng_cat_index_build(draft);
    atomic_store_explicit(&eng_catalog_current, draft, memory_order_release);
    ck_epoch_call(eng_catalog_record(), &old->epoch_entry, eng_catalog_reclaim);
}

void eng_catalog_install(eng_catalog *catalog) {
    eng_catalog_epoch_init();
    eng_cat_fix_backrefs(catalog);
    eng_cat_index_build(catalog);
    eng_catalog *old = atomic_exchange(&eng_catalog_current, catalog);
    if (old != NULL) eng_cat_free(old);
}

void eng_catalog_poll(void) { ck_epoch_poll(eng_catalog_record()); }

/* After the shards stopped: runs every deferred free and frees the current version. The epoch
 * records stay registered (ck_epoch keeps them linked) and are reused by the next start. */
void eng_catalog_shutdown(void) {
    for (uint32_t i = 0; i <= RT_SHARDS_MAX; i++) {
        if (eng_catalog_records[i] != NULL) ck_epoch_barrier(eng_catalog_records[i]);
    }
    eng_catalog *c = atomic_exchange(&eng_catalog_current, NULL);
    eng_cat_free(c);
}

bool eng_catalog_ddl_trylock(uint64_t owner) {
    uint64_t expected = 0;
    if (atomic_compare_exchange_strong(&eng_catalog_ddl_owner, &expected, owner)) return true;
    return expected == owner;
}

uint64_t eng_catalog_ddl_holder(void) { return atomic_load(&eng_catalog_ddl_owner); }

void eng_catalog_ddl_unlock(uint64_t owner) {
    uint64_t expected = owner;
    atomic_compare_exchange_strong(&eng_catalog_ddl_owner, &expected, 0);
}

/* ---- storage classes ---- */

eng_store eng_store_of_type(uint32_t type_oid) {
    switch (type_oid) {
    case SQL_T_BOOL: case SQL_T_CHAR: return ENG_STORE_I8;
    case SQL_T_INT2: return ENG_STORE_I16;
    case SQL_T_INT4: case SQL_T_DATE: case SQL_T_OID: case SQL_T_REGCLASS: case SQL_T_REGTYPE:
    case SQL_T_REGPROC: case SQL_T_REGNAMESPACE: case SQL_T_REGROLE: case SQL_T_REGPROCEDURE:
    case SQL_T_REGOPER: case SQL_T_REGOPERATOR: case SQL_T_XID: case SQL_T_CID:
        return ENG_STORE_I32;
    case SQL_T_INT8: case SQL_T_TIME: case SQL_T_TIMESTAMP: case SQL_T_TIMESTAMPTZ:
    case SQL_T_MONEY:
        return ENG_STORE_I64;
    case SQL_T_FLOAT4: return ENG_STORE_F32;
    case SQL_T_FLOAT8: return ENG_STORE_F64;
    case SQL_T_UUID: case SQL_T_INTERVAL: return ENG_STORE_FIXED16;
    case SQL_T_VECTOR: return ENG_STORE_VECTOR;
    default: return sql_enum_is(type_oid) ? ENG_STORE_I64 : ENG_STORE_VARLEN;
    }
}

uint32_t eng_store_width(eng_store store) {
    switch (store) {
    case ENG_STORE_I8: return 1;
    case ENG_STORE_I16: return 2;
    case ENG_STORE_I32: case ENG_STORE_F32: return 4;
    case ENG_STORE_I64: case ENG_STORE_F64: return 8;
    case ENG_STORE_FIXED16: return 16;
    case ENG_STORE_VARLEN: return sizeof(sql_bytes);
    case ENG_STORE_VECTOR: return 0;
    }
    return 0;
}
