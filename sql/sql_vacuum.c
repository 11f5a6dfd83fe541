/* sql_vacuum.c: the VACUUM statement (sql_vacuum.h). */
#include "sql/sql_vacuum.h"

#include <stdio.h>
#include <string.h>

#include "engine/eng.h"
#include "runtime/rt_loop.h"
#include "sql/sql_session_int.h"
#include "sql/sql_unique.h"

/* One partition's pass, run on its shard. */
typedef struct vac_job {
    const eng_table *t;
    uint32_t partno;
    eng_vac_result res;
    bool ok;
    rt_err err;
} vac_job;

static void vac_job_run(void *arg) {
    vac_job *j = arg;
    eng_part *p = eng_partition(j->t, j->partno);
    j->ok = eng_vac_partition(p, ENG_VAC_MANUAL, &j->res, &j->err);
}

static void vac_sum(eng_vac_result *sum, const eng_vac_result *r) {
    sum->scanned += r->scanned;
    sum->removed += r->removed;
    sum->dead_kept += r->dead_kept;
    sum->live += r->live;
    sum->nodes_removed += r->nodes_removed;
    sum->rowgroups_freed += r->rowgroups_freed;
}

/* Every partition of `t`, each on its owning shard. */
static bool vac_table(const eng_table *t, eng_vac_result *sum, rt_err *err) {
    memset(sum, 0, sizeof *sum);
    uint32_t shards = eng_shard_count();
    for (uint32_t partno = 0; partno < t->partition_count; partno++) {
        vac_job j = {.t = t, .partno = partno};
        rt_err_clear(&j.err);
        if (!rt_run_on(eng_partition_owner(partno, shards), vac_job_run, &j, err)) return false;
        if (!j.ok) {
            *err = j.err;
            return false;
        }
        vac_sum(sum, &j.res);
    }
    eng_vac_note_manual(t->storage_id);
    return true;
}

static const char *vac_schema_name(const eng_database *db, uint32_t schema_oid) {
    const eng_schema *sc = eng_db_schema_by_oid(db, schema_oid);
    return sc != NULL ? sc->name : "?";
}

/* A table and its unique-constraint companions (their keys are this table's index). */
static bool vac_one(sql_session *s, const sql_vacuum *v, const eng_database *db,
                    const eng_table *t, const sql_sink *sink, rt_err *err) {
    const char *schema = vac_schema_name(db, t->schema_oid);
    if (v->verbose) {
        sql_session_notice(s, sink, "INFO", SQLSTATE_SUCCESSFUL_COMPLETION,
                           "vacuuming \"%s.%s.%s\"", db->name, schema, t->name);
    }
    eng_vac_result r, c;
    if (!vac_table(t, &r, err)) return false;
    for (uint32_t i = 0; i < t->index_count; i++) {
        const eng_table *comp = sql_unique_companion(db, t, &t->indexes[i]);
        if (comp == NULL) continue;
        if (!vac_table(comp, &c, err)) return false;
        vac_sum(&r, &c);
    }
    if (v->verbose) {
        sql_session_notice(s, sink, "INFO", SQLSTATE_SUCCESSFUL_COMPLETION,
                           "finished vacuuming \"%s.%s.%s\": index scans: %u\n"
                           "tuples: %llu removed, %llu remain, %llu are dead but not yet "
                           "removable\nvector index: %llu nodes removed\n"
                           "row groups: %llu freed",
                           db->name, schema, t->name, t->index_count > 0 ? 1u : 0u,
                           (unsigned long long)r.removed, (unsigned long long)(r.live + r.dead_kept),
                           (unsigned long long)r.dead_kept, (unsigned long long)r.nodes_removed,
                           (unsigned long long)r.rowgroups_freed);
    }
    return true;
}

bool sql_vacuum_run(sql_session *s, const sql_vacuum *v, const sql_sink *sink, rt_err *err) {
    if (v->full) {
        sql_session_notice(s, sink, "NOTICE", SQLSTATE_SUCCESSFUL_COMPLETION,
                           "VACUUM FULL does what VACUUM does in Dreambase: freed row versions "
                           "are reused in place, there are no pages to compact");
    }
    sql_stmt_env env;
    sql_session_env_open(s, s->query_arena, err, NULL, 0, &env);
    bool ok = true;
    for (uint32_t i = 0; ok && i < v->tables.count; i++) {
        const sql_rangevar *rv = SQL_LIST_AT(v->tables, i);
        const eng_table *t = sql_bind_find_table(&env.bc, &rv->name);
        if (t == NULL) {
            ok = rt_err_set(err, SQLSTATE_UNDEFINED_TABLE, "relation \"%s\" does not exist",
                            rv->name.parts[rv->name.count - 1]);
        } else if (t->kind == 'r') {
            ok = vac_one(s, v, env.db, t, sink, err);
        }
    }
    for (uint32_t i = 0; ok && v->tables.count == 0 && i < env.db->table_count; i++) {
        const eng_table *t = &env.db->tables[i];
        if (t->kind != 'r' || sql_unique_is_companion(t)) continue; /* with their table */
        ok = vac_one(s, v, env.db, t, sink, err);
    }
    sql_session_env_close(&env);
    return ok;
}
