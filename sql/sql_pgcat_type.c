/* sql_pgcat_type.c: pg_type (every type of the registry) and pg_proc (every function and
 * aggregate of the registries, plus the I/O functions pg_type names). Functions have no OIDs
 * of their own: they are numbered once, at first use, from PC_PROC_OID_FIRST. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sql_agg.h"
#include "sql/sql_domain.h"
#include "sql/sql_enum.h"
#include "sql/sql_pgcat_int.h"
#include "sql/sql_range.h"
#include "sql/sql_unique.h"

typedef struct pc_proc_entry {
    pc_proc p;
    const sql_agg_def *agg;
} pc_proc_entry;

static pc_proc_entry pc_procs[PC_PROC_COUNT_MAX];
static uint32_t pc_nprocs;
static uint16_t pc_by_name[PC_PROC_COUNT_MAX]; /* indexes sorted by name */
static pthread_once_t pc_procs_once = PTHREAD_ONCE_INIT;

static bool pc_proc_known(const char *name) {
    for (uint32_t i = 0; i < pc_nprocs; i++) {
        if (strcmp(pc_procs[i].p.name, name) == 0) return true;
    }
    return false;
}

static void pc_proc_push(const char *name, const sql_func_def *def, const sql_agg_def *agg) {
    RT_ASSERT(pc_nprocs < PC_PROC_COUNT_MAX); /* raise PC_PROC_COUNT_MAX with the registry */
    pc_proc_entry *e = &pc_procs[pc_nprocs];
    e->p = (pc_proc){.oid = PC_PROC_OID_FIRST + pc_nprocs, .name = name, .def = def};
    e->agg = agg;
    pc_by_name[pc_nprocs] = (uint16_t)pc_nprocs;
    pc_nprocs++;
}

static void pc_proc_push_io(const char *name) {
    if (name != NULL && strcmp(name, "-") != 0 && !pc_proc_known(name)) {
        pc_proc_push(name, NULL, NULL);
    }
}

static int pc_proc_name_cmp(const void *a, const void *b) {
    const pc_proc_entry *x = &pc_procs[*(const uint16_t *)a];
    const pc_proc_entry *y = &pc_procs[*(const uint16_t *)b];
    int c = strcmp(x->p.name, y->p.name);
    return c != 0 ? c : (x->p.oid > y->p.oid) - (x->p.oid < y->p.oid);
}

static void pc_procs_build(void) {
    for (uint32_t i = 0; i < sql_funcs_count(); i++) {
        const sql_func_def *d = sql_funcs_at(i);
        if (!d->is_operator) pc_proc_push(d->name, d, NULL);
    }
    for (uint32_t i = 0; i < sql_aggs_count(); i++) {
        pc_proc_push(sql_aggs_at(i)->name, NULL, sql_aggs_at(i));
    }
    for (uint32_t i = 0; i < sql_type_count(); i++) {
        const sql_type_def *t = sql_type_at(i);
        pc_proc_push_io(t->input), pc_proc_push_io(t->output);
        pc_proc_push_io(t->receive), pc_proc_push_io(t->send);
        pc_proc_push_io(t->typmodin), pc_proc_push_io(t->typmodout);
    }
    static const char *const handlers[] = {"heap_tableam_handler", "bthandler", "hashhandler",
                                           "hnswhandler", "array_subscript_handler",
                                           "domain_in", "domain_recv", "enum_in", "enum_out",
                                           "enum_recv", "enum_send"};
    for (uint32_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++) {
        pc_proc_push_io(handlers[i]);
    }
    for (uint32_t i = 0; i < SQL_RANGE_TYPE_COUNT; i++) { /* pg_range's support functions */
        pc_proc_push_io(sql_range_type_at(i)->canonical);
        pc_proc_push_io(sql_range_type_at(i)->subdiff);
    }
    qsort(pc_by_name, pc_nprocs, sizeof pc_by_name[0], pc_proc_name_cmp);
}

static void pc_procs_init(void) { pthread_once(&pc_procs_once, pc_procs_build); }

uint32_t pc_proc_count(void) {
    pc_procs_init();
    return pc_nprocs;
}

const pc_proc *pc_proc_at(uint32_t i) {
    pc_procs_init();
    return &pc_procs[i].p;
}

const pc_proc *pc_proc_by_oid(uint32_t oid) {
    pc_procs_init();
    if (oid < PC_PROC_OID_FIRST || oid >= PC_PROC_OID_FIRST + pc_nprocs) return NULL;
    return &pc_procs[oid - PC_PROC_OID_FIRST].p;
}

uint32_t pc_proc_oid(const char *name) {
    pc_procs_init();
    if (name == NULL) return 0;
    uint32_t lo = 0, hi = pc_nprocs;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (strcmp(pc_procs[pc_by_name[mid]].p.name, name) < 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo < pc_nprocs && strcmp(pc_procs[pc_by_name[lo]].p.name, name) == 0) {
        return pc_procs[pc_by_name[lo]].p.oid;
    }
    return 0;
}

/* ---- pg_type ---- */

static bool pc_type_row(pc_row *r, const sql_type_def *t) {
    pc_clear(r);
    pc_int(r, "oid", t->oid);
    pc_str(r, "typname", t->name);
    pc_int(r, "typnamespace", t->namespace_oid);
    pc_int(r, "typowner", ENG_OID_BOOTSTRAP_ROLE);
    pc_int(r, "typlen", t->typlen);
    pc_bool(r, "typbyval", t->byval);
    pc_char(r, "typtype", t->typtype);
    pc_char(r, "typcategory", t->category);
    pc_bool(r, "typispreferred", t->preferred);
    pc_bool(r, "typisdefined", true);
    pc_char(r, "typdelim", ',');
    bool subscripted = t->category == 'A' && t->elem_oid != 0;
    pc_int(r, "typsubscript", subscripted ? pc_proc_oid("array_subscript_handler") : 0);
    pc_int(r, "typelem", t->elem_oid);
    pc_int(r, "typarray", t->array_oid);
    pc_int(r, "typinput", pc_proc_oid(t->input));
    pc_int(r, "typoutput", pc_proc_oid(t->output));
    pc_int(r, "typreceive", pc_proc_oid(t->receive));
    pc_int(r, "typsend", pc_proc_oid(t->send));
    pc_int(r, "typmodin", pc_proc_oid(t->typmodin));
    pc_int(r, "typmodout", pc_proc_oid(t->typmodout));
    pc_char(r, "typalign", t->align);
    pc_char(r, "typstorage", t->storage);
    pc_int(r, "typtypmod", -1);
    const sql_type_def *elem = subscripted ? sql_type_by_oid(t->elem_oid) : NULL;
    pc_int(r, "typcollation", elem != NULL && t->collation == 0 ? elem->collation : t->collation);
    return pc_add(r);
}

/* The columns every user type's row shares: its name (after `prefix`; written to `full`,
 * which the row points into until pc_add), schema and owner, its kind, and the length, I/O
 * functions, alignment and storage of `like`, the type its values are stored as. */
static void pc_user_type_head(pc_row *r, uint32_t oid, const char *prefix, const char *name,
                              char full[ENG_NAME_BYTES + 1], uint32_t schema_oid,
                              uint32_t owner_oid, char typtype, char category,
                              const sql_type_def *like) {
    snprintf(full, ENG_NAME_BYTES + 1, "%s%s", prefix, name);
    pc_clear(r);
    pc_int(r, "oid", oid);
    pc_str(r, "typname", full);
    pc_int(r, "typnamespace", schema_oid);
    pc_int(r, "typowner", owner_oid);
    pc_int(r, "typlen", like->typlen);
    pc_bool(r, "typbyval", like->byval);
    pc_char(r, "typtype", typtype);
    pc_char(r, "typcategory", category);
    pc_bool(r, "typisdefined", true);
    pc_char(r, "typdelim", ',');
    pc_int(r, "typsubscript", category == 'A' ? pc_proc_oid("array_subscript_handler") : 0);
    pc_int(r, "typinput", pc_proc_oid(like->input));
    pc_int(r, "typoutput", pc_proc_oid(like->output));
    pc_int(r, "typreceive", pc_proc_oid(like->receive));
    pc_int(r, "typsend", pc_proc_oid(like->send));
    pc_char(r, "typalign", like->align);
    pc_char(r, "typstorage", like->storage);
    pc_int(r, "typtypmod", -1);
}

/* A domain ('d', typbasetype the type under it) and its array type ("_d"). */
static bool pc_domain_rows(pc_row *r, const eng_domain *d, const sql_type_def *base) {
    uint32_t collation = d->collation != 0 ? d->collation : base->collation;
    char name[ENG_NAME_BYTES + 1];
    pc_user_type_head(r, d->oid, "", d->name, name, d->schema_oid, d->owner_oid, 'd',
                      base->category, base);
    pc_int(r, "typarray", d->array_oid);
    pc_int(r, "typinput", pc_proc_oid("domain_in"));
    pc_int(r, "typreceive", pc_proc_oid("domain_recv"));
    pc_bool(r, "typnotnull", d->not_null);
    pc_int(r, "typbasetype", d->base_oid);
    pc_int(r, "typtypmod", d->typmod);
    pc_int(r, "typcollation", collation);
    pc_str(r, "typdefault", d->default_text);
    if (!pc_add(r)) return false;
    const sql_type_def *arr = sql_type_by_oid(sql_type_array_of(base->oid));
    if (arr == NULL) return true;
    pc_user_type_head(r, d->array_oid, "_", d->name, name, d->schema_oid, d->owner_oid, 'b',
                      'A', arr);
    pc_int(r, "typelem", d->oid);
    pc_int(r, "typcollation", collation);
    return pc_add(r);
}

/* The row type of a table or view ('c', typrelid the relation) and its array type. */
static bool pc_rowtype_rows(pc_row *r, const eng_table *t) {
    const sql_type_def *rec = sql_type_by_oid(SQL_T_RECORD);
    const sql_type_def *arr = sql_type_by_oid(SQL_T_RECORD_ARRAY);
    if (rec == NULL || arr == NULL) return true;
    char name[ENG_NAME_BYTES + 1];
    pc_user_type_head(r, t->rowtype_oid, "", t->name, name, t->schema_oid, t->owner_oid, 'c',
                      'C', rec);
    pc_int(r, "typrelid", t->oid);
    pc_int(r, "typarray", t->rowtype_array_oid);
    pc_char(r, "typalign", 'd'); /* as PostgreSQL's composite types */
    pc_char(r, "typstorage", 'x');
    if (!pc_add(r)) return false;
    pc_user_type_head(r, t->rowtype_array_oid, "_", t->name, name, t->schema_oid, t->owner_oid,
                      'b', 'A', arr);
    pc_int(r, "typelem", t->rowtype_oid);
    return pc_add(r);
}

/* An enum type ('e', category 'E', enum_in / enum_out) and its array type ("_e"). */
static bool pc_enum_rows(pc_row *r, const eng_enum *e) {
    const sql_type_def *arr = sql_type_by_oid(SQL_T_INT4_ARRAY); /* array_in, align 'i' */
    char name[ENG_NAME_BYTES + 1];
    pc_user_type_head(r, e->oid, "", e->name, name, e->schema_oid, e->owner_oid, 'e', 'E',
                      sql_enum_type_def());
    pc_int(r, "typarray", e->array_oid);
    if (!pc_add(r)) return false;
    pc_user_type_head(r, e->array_oid, "_", e->name, name, e->schema_oid, e->owner_oid, 'b',
                      'A', arr);
    pc_int(r, "typelem", e->oid);
    return pc_add(r);
}

bool pc_scan_enum(pc_row *r) {
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->enum_count; i++) {
        const eng_enum *e = &db->enums[i];
        for (uint32_t k = 0; k < e->label_count; k++) {
            pc_clear(r);
            pc_int(r, "oid", e->labels[k].oid);
            pc_int(r, "enumtypid", e->oid);
            pc_f64(r, "enumsortorder", e->labels[k].sortorder);
            pc_str(r, "enumlabel", e->labels[k].name);
            if (!pc_add(r)) return false;
        }
    }
    return true;
}

bool pc_scan_type(pc_row *r) {
    for (uint32_t i = 0; i < sql_type_count(); i++) {
        if (!pc_type_row(r, sql_type_at(i))) return false;
    }
    const eng_database *db = r->x->db;
    for (uint32_t i = 0; i < db->domain_count; i++) {
        const eng_domain *d = &db->domains[i];
        uint32_t base_oid;
        int32_t typmod;
        if (!sql_domain_base(db, d, &base_oid, &typmod, r->x->err)) return false;
        const sql_type_def *base = sql_type_by_oid(base_oid);
        if (base == NULL) continue;
        if (!pc_domain_rows(r, d, base)) return false;
    }
    for (uint32_t i = 0; i < db->enum_count; i++) {
        if (!pc_enum_rows(r, &db->enums[i])) return false;
    }
    for (uint32_t i = 0; i < db->table_count; i++) {
        const eng_table *t = &db->tables[i];
        if (t->rowtype_oid == 0 || sql_unique_is_companion(t)) continue;
        if (!pc_rowtype_rows(r, t)) return false;
    }
    return true;
}

/* ---- pg_proc ---- */

static char pc_volatility(uint32_t flags) {
    if (flags & SQL_F_VOLATILE) return 'v';
    return (flags & SQL_F_STABLE) ? 's' : 'i';
}

static bool pc_proc_func(pc_row *r, const sql_func_def *d) {
    uint32_t nargs = d->nargs;
    char kind = (d->flags & SQL_F_AGG) ? 'a' : (d->flags & SQL_F_WINDOW) ? 'w' : 'f';
    pc_char(r, "prokind", kind);
    pc_bool(r, "proleakproof", (d->flags & SQL_F_LEAKPROOF) != 0);
    pc_bool(r, "proisstrict", (d->flags & SQL_F_STRICT) != 0);
    pc_bool(r, "proretset", (d->flags & SQL_F_SRF) != 0);
    pc_f64(r, "prorows", (d->flags & SQL_F_SRF) ? 1000 : 0);
    pc_char(r, "provolatile", pc_volatility(d->flags));
    if ((d->flags & SQL_F_VARIADIC) && nargs > 0) {
        uint32_t last = d->args[nargs - 1];
        uint32_t elem = sql_type_elem_of(last);
        pc_int(r, "provariadic", elem != 0 ? elem : last);
    }
    pc_int(r, "pronargs", nargs);
    bool record = (d->flags & SQL_F_SRF) && d->srf_ncols > 1;
    pc_int(r, "prorettype", record ? SQL_T_RECORD : d->ret);
    return pc_oidvector(r, "proargtypes", d->args, nargs);
}

static bool pc_proc_agg(pc_row *r, const sql_agg_def *a) {
    pc_char(r, "prokind", 'a');
    pc_bool(r, "proisstrict", a->strict);
    pc_char(r, "provolatile", 'i');
    pc_int(r, "pronargs", a->nargs);
    pc_int(r, "prorettype", a->ret);
    return pc_oidvector(r, "proargtypes", a->args, a->nargs);
}

/* A type I/O function: cstring in, the type out (or the reverse). */
static bool pc_proc_io(pc_row *r, const char *name) {
    size_t n = strlen(name);
    bool in = n > 2 && strcmp(name + n - 2, "in") == 0;
    uint32_t arg = in ? SQL_T_CSTRING : SQL_T_ANY;
    pc_char(r, "prokind", 'f');
    pc_bool(r, "proisstrict", true);
    pc_char(r, "provolatile", 'i');
    pc_int(r, "pronargs", 1);
    pc_int(r, "prorettype", in ? SQL_T_ANY : SQL_T_CSTRING);
    return pc_oidvector(r, "proargtypes", &arg, 1);
}

bool pc_scan_proc(pc_row *r) {
    pc_procs_init();
    for (uint32_t i = 0; i < pc_nprocs; i++) {
        const pc_proc_entry *e = &pc_procs[i];
        pc_clear(r);
        pc_int(r, "oid", e->p.oid);
        pc_str(r, "proname", e->p.name);
        pc_int(r, "pronamespace", ENG_OID_PG_CATALOG);
        pc_int(r, "proowner", ENG_OID_BOOTSTRAP_ROLE);
        pc_int(r, "prolang", PC_OID_LANG_INTERNAL);
        pc_f64(r, "procost", 1);
        pc_char(r, "proparallel", 's');
        bool ok = e->p.def != NULL ? pc_proc_func(r, e->p.def)
                  : e->agg != NULL ? pc_proc_agg(r, e->agg)
                                   : pc_proc_io(r, e->p.name);
        if (!ok) return false;
        pc_str(r, "prosrc", e->p.name);
        if (!pc_add(r)) return false;
    }
    return true;
}
