/* sql_ddl_seq.c: CREATE / ALTER SEQUENCE and the option rules PostgreSQL applies to them
 * (and to the sequences of serial and identity columns). Sequence values live in eng_seq and
 * are not transactional; the definition is in the catalog. */
#include <stdio.h>
#include <string.h>

#include "sql/sql_ddl_int.h"

typedef struct ddl_seq_opts {
    const sql_defelem *as, *increment, *minvalue, *maxvalue, *start, *cache, *cycle, *owned_by,
        *restart, *name;
} ddl_seq_opts;

static bool ddl_seq_collect(const sql_list *opts, ddl_seq_opts *o, rt_err *err) {
    memset(o, 0, sizeof *o);
    static const char *const names[] = {"as", "increment", "minvalue", "maxvalue", "start",
                                        "cache", "cycle", "owned_by", "restart",
                                        "sequence_name"};
    const sql_defelem **slots[] = {&o->as, &o->increment, &o->minvalue, &o->maxvalue, &o->start,
                                   &o->cache, &o->cycle, &o->owned_by, &o->restart, &o->name};
    for (uint32_t i = 0; opts != NULL && i < opts->count; i++) {
        const sql_defelem *d = SQL_LIST_AT(*opts, i);
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
            if (strcmp(d->name, names[k]) != 0) continue;
            if (*slots[k] != NULL) {
                return rt_err_set(err, SQLSTATE_SYNTAX_ERROR, "conflicting or redundant options");
            }
            *slots[k] = d;
        }
    }
    return true;
}

static bool ddl_seq_int(const sql_defelem *d, int64_t *out, rt_err *err) {
    const sql_const *c = (const sql_const *)d->value;
    if (c == NULL || SQL_NODE_KIND(c) != SQL_N_CONST || c->const_kind != SQL_CONST_INTEGER) {
        return rt_err_set(err, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "value \"%s\" is out of range for type bigint",
                          c != NULL && SQL_NODE_KIND(c) == SQL_N_CONST && c->text ? c->text : "");
    }
    *out = c->int_value;
    return true;
}

static void ddl_seq_type_range(uint32_t type_oid, int64_t *min, int64_t *max) {
    if (type_oid == SQL_T_INT2) {
        *min = INT16_MIN, *max = INT16_MAX;
    } else if (type_oid == SQL_T_INT4) {
        *min = INT32_MIN, *max = INT32_MAX;
    } else {
        *min = INT64_MIN, *max = INT64_MAX;
    }
}

static const char *ddl_seq_type_name(uint32_t type_oid) {
    return type_oid == SQL_T_INT2 ? "smallint" : type_oid == SQL_T_INT4 ? "integer" : "bigint";
}

static bool ddl_seq_as(sql_ddl_ctx *dc, const sql_defelem *d, eng_sequence *s, rt_err *err) {
    uint32_t oid;
    int32_t typmod;
    if (!sql_bind_typename(dc->bc, (const sql_typename *)d->value, &oid, &typmod)) return false;
    if (oid != SQL_T_INT2 && oid != SQL_T_INT4 && oid != SQL_T_INT8) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "sequence type must be smallint, integer, or bigint");
    }
    s->type_oid = oid;
    return true;
}

/* Bounds after the options: explicit ones, else the defaults of the direction and type. */
static bool ddl_seq_bounds(const ddl_seq_opts *o, eng_sequence *s, bool create, bool retyped,
                           rt_err *err) {
    int64_t tmin, tmax;
    ddl_seq_type_range(s->type_oid, &tmin, &tmax);
    bool asc = s->increment > 0;
    if (o->maxvalue != NULL && !o->maxvalue->negated) {
        if (!ddl_seq_int(o->maxvalue, &s->max_value, err)) return false;
    } else if (create || o->maxvalue != NULL || retyped) {
        s->max_value = asc ? tmax : -1;
    }
    if (o->minvalue != NULL && !o->minvalue->negated) {
        if (!ddl_seq_int(o->minvalue, &s->min_value, err)) return false;
    } else if (create || o->minvalue != NULL || retyped) {
        s->min_value = asc ? 1 : tmin;
    }
    const char *tn = ddl_seq_type_name(s->type_oid);
    if (s->max_value < tmin || s->max_value > tmax) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "MAXVALUE (%lld) is out of range for sequence data type %s",
                          (long long)s->max_value, tn);
    }
    if (s->min_value < tmin || s->min_value > tmax) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "MINVALUE (%lld) is out of range for sequence data type %s",
                          (long long)s->min_value, tn);
    }
    if (s->min_value >= s->max_value) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "MINVALUE (%lld) must be less than MAXVALUE (%lld)",
                          (long long)s->min_value, (long long)s->max_value);
    }
    return true;
}

static bool ddl_seq_start(const ddl_seq_opts *o, eng_sequence *s, bool create, rt_err *err) {
    if (o->start != NULL) {
        if (!ddl_seq_int(o->start, &s->start, err)) return false;
    } else if (create) {
        s->start = s->increment > 0 ? s->min_value : s->max_value;
    }
    if (s->start < s->min_value) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "START value (%lld) cannot be less than MINVALUE (%lld)",
                          (long long)s->start, (long long)s->min_value);
    }
    if (s->start > s->max_value) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "START value (%lld) cannot be greater than MAXVALUE (%lld)",
                          (long long)s->start, (long long)s->max_value);
    }
    return true;
}

bool sql_ddl_seq_apply(sql_ddl_ctx *dc, eng_sequence *s, const sql_list *opts, bool create,
                       rt_err *err) {
    ddl_seq_opts o;
    if (!ddl_seq_collect(opts, &o, err)) return false;
    uint32_t old_type = s->type_oid;
    if (create && s->type_oid == 0) s->type_oid = SQL_T_INT8;
    if (o.as != NULL && !ddl_seq_as(dc, o.as, s, err)) return false;
    if (create) s->increment = 1, s->cache = 1;
    if (o.increment != NULL && !ddl_seq_int(o.increment, &s->increment, err)) return false;
    if (s->increment == 0) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE, "INCREMENT must not be zero");
    }
    if (!ddl_seq_bounds(&o, s, create, old_type != s->type_oid, err)) return false;
    if (!ddl_seq_start(&o, s, create, err)) return false;
    if (o.cache != NULL) {
        if (!ddl_seq_int(o.cache, &s->cache, err)) return false;
        if (s->cache <= 0) {
            return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "CACHE (%lld) must be greater than zero", (long long)s->cache);
        }
    }
    if (o.cycle != NULL) s->cycle = !o.cycle->negated;
    if (o.name != NULL) {
        const sql_columnref *c = (const sql_columnref *)o.name->value;
        snprintf(s->name, sizeof s->name, "%s", c->name.parts[c->name.count - 1]);
    }
    return true;
}

/* OWNED BY t.c | NONE: the table must be in the sequence's schema, as PostgreSQL requires. */
static bool ddl_seq_owned_by(sql_ddl_ctx *dc, const sql_list *opts, eng_sequence *s,
                             rt_err *err) {
    ddl_seq_opts o;
    if (!ddl_seq_collect(opts, &o, err) || o.owned_by == NULL) return true;
    if (o.owned_by->word != NULL) {
        s->owned_by_table = 0;
        s->owned_by_attnum = 0;
        return true;
    }
    const sql_columnref *c = (const sql_columnref *)o.owned_by->value;
    if (c->name.count < 2) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "invalid OWNED BY option");
    }
    sql_name tn = c->name;
    tn.count--;
    const eng_table *t = sql_ddl_find_rel(dc, &tn, 0, false, NULL, err);
    if (t == NULL) return false;
    const char *col = c->name.parts[c->name.count - 1];
    const eng_column *column = eng_table_column_by_name(t, col);
    if (column == NULL || column->dropped) {
        return rt_err_set(err, SQLSTATE_UNDEFINED_COLUMN,
                          "column \"%s\" of relation \"%s\" does not exist", col, t->name);
    }
    if (t->schema_oid != s->schema_oid) {
        return rt_err_set(err, SQLSTATE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                          "sequence must be in same schema as table it is linked to");
    }
    s->owned_by_table = t->oid;
    s->owned_by_attnum = column->attnum;
    return true;
}

bool sql_ddl_create_sequence(sql_ddl_ctx *dc, const sql_create_sequence *cs, rt_err *err) {
    eng_sequence s;
    memset(&s, 0, sizeof s);
    const char *rel;
    if (cs->temporary) {
        return rt_err_set(err, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "temporary sequences are not supported yet");
    }
    if (!sql_bind_creation_schema(dc->bc, &cs->name, &s.schema_oid, &rel)) return false;
    if (!sql_ddl_may_create(dc, s.schema_oid, err)) return false;
    if (sql_ddl_relname_taken(dc->bc->db, s.schema_oid, rel)) {
        if (cs->if_not_exists) {
            sql_ddl_notice(dc, SQLSTATE_DUPLICATE_TABLE,
                           "relation \"%s\" already exists, skipping", rel);
            return true;
        }
        return rt_err_set(err, SQLSTATE_DUPLICATE_TABLE, "relation \"%s\" already exists", rel);
    }
    snprintf(s.name, sizeof s.name, "%s", rel);
    s.owner_oid = dc->user_oid;
    s.persistence = cs->unlogged ? 'u' : 'p';
    if (!sql_ddl_seq_apply(dc, &s, &cs->options, true, err) ||
        !ddl_seq_owned_by(dc, &cs->options, &s, err)) {
        return false;
    }
    snprintf(s.name, sizeof s.name, "%s", rel); /* SEQUENCE NAME is for identity columns only */
    s.oid = eng_catalog_new_oid(sql_ddl_draft(dc));
    eng_draft_add_sequence(sql_ddl_draft(dc), dc->db_oid, &s);
    sql_ddl_db(dc);
    return true;
}

bool sql_ddl_alter_sequence(sql_ddl_ctx *dc, const sql_alter_sequence *as, rt_err *err) {
    const eng_sequence *cur = sql_bind_find_sequence(dc->bc, &as->name);
    const char *rel = as->name.parts[as->name.count - 1];
    if (cur == NULL) {
        if (as->if_exists) {
            sql_ddl_notice(dc, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist, skipping",
                           rel);
            return true;
        }
        return rt_err_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist", rel);
    }
    if (!sql_ddl_owns(dc, cur->owner_oid, "sequence", cur->name, err)) return false;
    eng_sequence s = *cur;
    if (!sql_ddl_seq_apply(dc, &s, &as->options, false, err) ||
        !ddl_seq_owned_by(dc, &as->options, &s, err)) {
        return false;
    }
    ddl_seq_opts o;
    if (!ddl_seq_collect(&as->options, &o, err)) return false;
    int64_t restart = s.start;
    if (o.restart != NULL && o.restart->value != NULL && !ddl_seq_int(o.restart, &restart, err)) {
        return false;
    }
    if (o.restart != NULL && (restart < s.min_value || restart > s.max_value)) {
        return rt_err_set(err, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "RESTART value (%lld) cannot be %s than %s (%lld)", (long long)restart,
                          restart < s.min_value ? "less" : "greater",
                          restart < s.min_value ? "MINVALUE" : "MAXVALUE",
                          (long long)(restart < s.min_value ? s.min_value : s.max_value));
    }
    /* Replace: remove and add keeps the draft's name index right. */
    eng_draft_remove_sequence(sql_ddl_draft(dc), dc->db_oid, s.oid);
    eng_draft_add_sequence(sql_ddl_draft(dc), dc->db_oid, &s);
    sql_ddl_db(dc);
    /* Sequence values are not transactional (as PostgreSQL's): RESTART applies now. */
    if (o.restart != NULL && !eng_seq_set(dc->db_oid, &s, restart, false, err)) return false;
    return true;
}
