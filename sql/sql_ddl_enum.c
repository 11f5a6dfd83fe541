/* sql_ddl_enum.c: CREATE TYPE ... AS ENUM, ALTER TYPE of an enum type (ADD VALUE, RENAME
 * VALUE, RENAME TO, OWNER TO, SET SCHEMA) and DROP TYPE of one. Labels get their sort orders
 * as PostgreSQL's pg_enum.c gives them: 1, 2, ... in CREATE TYPE and for values added at the
 * end, one below the first for BEFORE it, and the midpoint between two neighbours. A label
 * keeps its oid and sort order for life, since stored values carry both (sql_enum.h): where
 * PostgreSQL would renumber the labels (no float4 left between two neighbours) this refuses
 * the new label with 0A000 instead. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_ddl_int.h"
#include "sql/sql_domain.h"
#include "sql/sql_enum.h"

#define SQL_ENUM_LABEL_BYTES_MAX (ENG_NAME_BYTES - 1) /* NAMEDATALEN - 1, as PostgreSQL */

/* 42602 for a label longer than a name, as PostgreSQL's "invalid enum label". */
static bool ddl_enum_label_ok(const char *label, rt_err *err) {
    if (strlen(label) <= SQL_ENUM_LABEL_BYTES_MAX) return true;
    rt_err_set(err, SQLSTATE_INVALID_NAME, "invalid enum label \"%s\"", label);
    rt_err_detail(err, "Labels must be %d bytes or less.", SQL_ENUM_LABEL_BYTES_MAX);
    return false;
}

static int32_t ddl_enum_label_index(const eng_enum *e, const char *label) {
    for (uint32_t k = 0; k < e->label_count; k++) {
        if (strcmp(e->labels[k].name, label) == 0) return (int32_t)k;
    }
    return -1;
}

bool sql_ddl_create_enum(sql_ddl_ctx *dc, const sql_create_enum *ce, rt_err *err) {
    eng_enum e;
    memset(&e, 0, sizeof e);
    const char *name;
    if (!sql_bind_creation_schema(dc->bc, &ce->name, &e.schema_oid, &name)) return false;
    if (!sql_ddl_may_create(dc, e.schema_oid, err)) return false;
    if (sql_ddl_type_name_taken(dc->bc->db, e.schema_oid, name)) {
        return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT, "type \"%s\" already exists", name);
    }
    if (ce->labels.count > ENG_ENUM_LABELS_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "an enum type can have at most %d labels", ENG_ENUM_LABELS_MAX);
    }
    snprintf(e.name, sizeof e.name, "%s", name);
    e.owner_oid = dc->user_oid;
    eng_enum_label *labels = rt_arena_zalloc(dc->bc->arena,
                                             (ce->labels.count + 1u) * sizeof(eng_enum_label));
    if (labels == NULL) return rt_arena_fail(dc->bc->arena, err);
    e.oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    for (uint32_t i = 0; i < ce->labels.count; i++) {
        const sql_const *c = SQL_LIST_AT(ce->labels, i);
        if (!ddl_enum_label_ok(c->text, err)) return false;
        e.labels = labels;
        e.label_count = i;
        if (ddl_enum_label_index(&e, c->text) >= 0) { /* PostgreSQL's catalog index says so */
            rt_err_set(err, SQLSTATE_UNIQUE_VIOLATION, "duplicate key value violates unique "
                       "constraint \"pg_enum_typid_label_index\"");
            rt_err_detail(err, "Key (enumtypid, enumlabel)=(%u, %s) already exists.", e.oid,
                          c->text);
            return false;
        }
        snprintf(labels[i].name, sizeof labels[i].name, "%s", c->text);
        labels[i].sortorder = (float)(i + 1);
    }
    e.array_oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    for (uint32_t i = 0; i < ce->labels.count; i++) {
        labels[i].oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    }
    e.labels = labels;
    e.label_count = ce->labels.count;
    if (!sql_enum_note(e.oid, e.array_oid)) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "a server can have at most %u enum types", SQL_ENUM_TYPES_MAX);
    }
    eng_draft_put_enum(sql_ddl_draft(dc), dc->db_oid, &e);
    sql_ddl_db(dc);
    return true;
}

/* ---- ALTER TYPE ---- */

/* The sort order of a label added next to label `at` (BEFORE or AFTER it), or at the end. */
static bool ddl_enum_new_sortorder(const eng_enum *e, int32_t at, bool before, float *out,
                                   rt_err *err) {
    if (e->label_count == 0) {
        *out = 1;
        return true;
    }
    if (at < 0) at = (int32_t)e->label_count - 1; /* no neighbour: after the last */
    int32_t other = before ? at - 1 : at + 1;
    float nbr = e->labels[at].sortorder;
    if (other < 0 || other >= (int32_t)e->label_count) {
        *out = before ? nbr - 1 : nbr + 1;
        return true;
    }
    float far = e->labels[other].sortorder;
    float mid = nbr + (far - nbr) / 2;
    if (mid == nbr || mid == far) {
        rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                   "no sort order left between enum labels \"%s\" and \"%s\" of type %s",
                   e->labels[at].name, e->labels[other].name, e->name);
        rt_err_detail(err, "PostgreSQL would renumber the labels of the type; stored values "
                      "carry their label's sort order, so Dreambase does not.");
        return false;
    }
    *out = mid;
    return true;
}

static bool ddl_enum_add_value(sql_ddl_ctx *dc, eng_enum *e, const sql_alter_type *at,
                               bool *changed, rt_err *err) {
    if (!ddl_enum_label_ok(at->value, err)) return false;
    if (ddl_enum_label_index(e, at->value) >= 0) {
        if (!at->if_not_exists) {
            return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT, "enum label \"%s\" already exists",
                              at->value);
        }
        sql_ddl_notice(dc, SQLSTATE_DUPLICATE_OBJECT,
                       "enum label \"%s\" already exists, skipping", at->value);
        return true;
    }
    int32_t nbr = -1;
    if (at->neighbor != NULL && (nbr = ddl_enum_label_index(e, at->neighbor)) < 0) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "\"%s\" is not an existing enum label", at->neighbor);
    }
    if (e->label_count == ENG_ENUM_LABELS_MAX) {
        return rt_err_set(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "an enum type can have at most %d labels", ENG_ENUM_LABELS_MAX);
    }
    float order = 0;
    if (!ddl_enum_new_sortorder(e, nbr, at->before, &order, err)) return false;
    eng_enum_label *labels = rt_arena_zalloc(dc->bc->arena,
                                             (e->label_count + 1u) * sizeof(eng_enum_label));
    if (labels == NULL) return rt_arena_fail(dc->bc->arena, err);
    uint32_t pos = nbr < 0 ? e->label_count : (uint32_t)nbr + (at->before ? 0u : 1u);
    if (e->label_count > 0) { /* an empty enum has no labels array at all */
        memcpy(labels, e->labels, pos * sizeof(eng_enum_label));
        memcpy(labels + pos + 1, e->labels + pos,
               (e->label_count - pos) * sizeof(eng_enum_label));
    }
    labels[pos].oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    labels[pos].sortorder = order;
    snprintf(labels[pos].name, sizeof labels[pos].name, "%s", at->value);
    e->labels = labels;
    e->label_count++;
    *changed = true;
    return true;
}

static bool ddl_enum_rename_value(sql_ddl_ctx *dc, eng_enum *e, const sql_alter_type *at,
                                  rt_err *err) {
    if (!ddl_enum_label_ok(at->new_name, err)) return false;
    int32_t k = ddl_enum_label_index(e, at->value);
    if (k < 0) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "\"%s\" is not an existing enum label", at->value);
    }
    if (ddl_enum_label_index(e, at->new_name) >= 0) {
        return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT, "enum label \"%s\" already exists",
                          at->new_name);
    }
    eng_enum_label *labels = rt_arena_alloc(dc->bc->arena,
                                            (e->label_count + 1u) * sizeof(eng_enum_label));
    if (labels == NULL) return rt_arena_fail(dc->bc->arena, err);
    memcpy(labels, e->labels, e->label_count * sizeof(eng_enum_label));
    snprintf(labels[k].name, sizeof labels[k].name, "%s", at->new_name);
    e->labels = labels;
    return true;
}

/* RENAME TO / OWNER TO / SET SCHEMA: the same for every kind of type. */
static bool ddl_enum_alter_common(sql_ddl_ctx *dc, eng_enum *e, const sql_alter_type *at,
                                  rt_err *err) {
    switch (at->cmd) {
    case SQL_ATY_RENAME:
        if (sql_ddl_type_name_taken(dc->bc->db, e->schema_oid, at->new_name)) {
            return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT, "type \"%s\" already exists",
                              at->new_name);
        }
        snprintf(e->name, sizeof e->name, "%s", at->new_name);
        return true;
    case SQL_ATY_OWNER: {
        const eng_role *r = sql_ddl_role(dc, at->new_name, err);
        if (r == NULL) return false;
        e->owner_oid = r->oid;
        return true;
    }
    case SQL_ATY_SET_SCHEMA: {
        const eng_schema *s = eng_db_schema_by_name(dc->bc->db, at->new_name);
        if (s == NULL) {
            return rt_err_set(err, SQLSTATE_INVALID_SCHEMA_NAME, "schema \"%s\" does not exist",
                              at->new_name);
        }
        if (s->oid != e->schema_oid && sql_ddl_type_name_taken(dc->bc->db, s->oid, e->name)) {
            return rt_err_set(err, SQLSTATE_DUPLICATE_OBJECT,
                              "type \"%s\" already exists in schema \"%s\"", e->name, s->name);
        }
        if (!sql_ddl_may_create(dc, s->oid, err)) return false;
        e->schema_oid = s->oid;
        return true;
    }
    default:
        RT_ASSERT(false);
        return false;
    }
}

/* ALTER TYPE of a composite type: RENAME TO, OWNER TO and SET SCHEMA by its own code. */
static bool ddl_alter_type_composite(sql_ddl_ctx *dc, const sql_alter_type *at, rt_err *err) {
    if (at->cmd == SQL_ATY_ADD_VALUE || at->cmd == SQL_ATY_RENAME_VALUE) {
        return rt_err_set(err, SQLSTATE_WRONG_OBJECT_TYPE, "%s is not an enum",
                          at->name.parts[at->name.count - 1]);
    }
    sql_alter_composite_cmd cmd = {
        .cmd = at->cmd == SQL_ATY_RENAME  ? SQL_AC_RENAME
               : at->cmd == SQL_ATY_OWNER ? SQL_AC_OWNER
                                          : SQL_AC_SET_SCHEMA,
        .new_name = at->new_name,
    };
    void *item = &cmd;
    sql_alter_composite ac = {.hdr = at->hdr, .name = at->name,
                              .cmds = {.count = 1, .cap = 1, .items = &item}};
    return sql_ddl_alter_composite(dc, &ac, err);
}

bool sql_ddl_alter_type(sql_ddl_ctx *dc, const sql_alter_type *at, rt_err *err) {
    const eng_enum *cur = sql_bind_find_enum(dc->bc, &at->name);
    if (cur == NULL) {
        const char *name = at->name.parts[at->name.count - 1];
        const eng_table *rel = sql_bind_find_table(dc->bc, &at->name);
        if (rel != NULL && rel->kind == 'c') return ddl_alter_type_composite(dc, at, err);
        if (sql_domain_find(dc->bc, &at->name) != NULL) {
            return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "ALTER TYPE of domain \"%s\" is not supported; use ALTER DOMAIN",
                              name);
        }
        return rt_err_set(err, SQLSTATE_UNDEFINED_OBJECT, "type \"%s\" does not exist", name);
    }
    if (!sql_ddl_owns(dc, cur->owner_oid, "type", cur->name, err)) return false;
    eng_enum e = *cur;
    bool changed = true;
    switch (at->cmd) {
    case SQL_ATY_ADD_VALUE:
        changed = false;
        if (!ddl_enum_add_value(dc, &e, at, &changed, err)) return false;
        break;
    case SQL_ATY_RENAME_VALUE:
        if (!ddl_enum_rename_value(dc, &e, at, err)) return false;
        break;
    default:
        if (!ddl_enum_alter_common(dc, &e, at, err)) return false;
        break;
    }
    if (!changed) return true;
    eng_draft_put_enum(sql_ddl_draft(dc), dc->db_oid, &e);
    sql_ddl_db(dc);
    return true;
}

/* ---- DROP TYPE ---- */

/* The type's name as PostgreSQL's messages print it: qualified when the path does not find
 * it unqualified. */
static const char *ddl_enum_shown(sql_ddl_ctx *dc, const eng_enum *e) {
    sql_name plain = {.count = 1};
    plain.parts[0] = e->name;
    if (sql_bind_find_enum(dc->bc, &plain) == e) return e->name;
    const eng_schema *s = eng_db_schema_by_oid(dc->bc->db, e->schema_oid);
    const char *q = s != NULL ? rt_arena_sprintf(dc->bc->arena, "%s.%s", s->name, e->name) : NULL;
    return q != NULL ? q : e->name;
}

bool sql_ddl_drop_enum(sql_ddl_ctx *dc, const sql_drop *drop, const eng_enum *e, rt_err *err) {
    if (!sql_ddl_owns(dc, e->owner_oid, "type", e->name, err)) return false;
    bool used;
    if (!sql_ddl_type_unused(dc, drop, e->oid, e->array_oid, false, ddl_enum_shown(dc, e),
                             &used, err)) {
        return false;
    }
    if (used) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "DROP TYPE ... CASCADE of an enum type in use is not supported yet");
    }
    eng_draft_remove_enum(sql_ddl_draft(dc), dc->db_oid, e->oid);
    sql_ddl_db(dc);
    return true;
}
