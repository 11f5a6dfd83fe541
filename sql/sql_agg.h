/* sql_agg.h: aggregate functions (count, sum, avg, min, max, bool_and, bool_or, string_agg,
 * array_agg, jsonb_agg, ...).
 * An aggregate keeps a fixed-size state per group (state_bytes), updated row by row (step) and
 * turned into the result at the end (final). Aggregates whose state holds no pointers
 * (`portable`) can run partially on each shard and be merged on the coordinator (merge).
 * Memory:  states live in the aggregation's arena; values a state keeps (string_agg's text,
 *          min(text)) are copied into that arena.
 * Errors:  overflow and type errors as PostgreSQL reports them (22003 "bigint out of range"...). */
#ifndef SQL_AGG_H
#define SQL_AGG_H

#include <stdbool.h>
#include <stdint.h>

#include "sql/sql_expr.h"

typedef struct sql_agg_def sql_agg_def;

typedef struct sql_agg_ctx {
    rt_arena *arena;         /* where states keep copies of values */
    rt_err *err;
    sql_io_ctx *io;
    uint32_t arg_type;       /* the (first) argument's type */
    uint32_t result_type;
} sql_agg_ctx;

struct sql_agg_def {
    const char *name;
    uint8_t nargs;           /* 0 for count(*) */
    uint32_t args[2];        /* SQL_T_ANYELEMENT / SQL_T_ANYARRAY match any type */
    uint32_t ret;            /* SQL_T_ANYELEMENT: the argument's type; ANYARRAY: its array */
    uint32_t oid;            /* pg_proc oid */
    uint32_t state_bytes;
    bool strict;             /* NULL arguments are skipped */
    bool portable;           /* partial + final across shards: the state has no pointers,
                                or `flatten` copies it into bytes without them */
    bool ordered_set;        /* percentile_cont(0.5) WITHIN GROUP (ORDER BY x): args are the
                                direct arguments then the one WITHIN GROUP argument; step
                                receives them in that order, the rows of a group sorted by it,
                                and once with that argument NULL when the group is created
                                (direct arguments without columns only: empty groups) */
    void (*init)(sql_agg_ctx *c, void *state);
    bool (*step)(sql_agg_ctx *c, void *state, const sql_value *args);
    /* Optional, for one numeric argument: step with the value coef * 10^-scale whose short
     * form the argument would be (the executor's int64 lanes, sql_numeric.h). */
    bool (*step_scaled)(sql_agg_ctx *c, void *state, int64_t coef, int32_t scale);
    bool (*merge)(sql_agg_ctx *c, void *state, const void *other);
    /* NULL when the state's own bytes can be sent; else the bytes a PARTIAL node sends for
     * the state (in c->arena), which FINAL's merge receives as `other`. */
    bool (*flatten)(sql_agg_ctx *c, const void *state, sql_bytes *out);
    /* *out receives the result; states may be read again (window frames), not modified. */
    bool (*final)(sql_agg_ctx *c, const void *state, sql_value *out);
    /* Takes back a row `step` added (a moving window frame drops its first rows), leaving the
       state exactly as if the row had never been stepped; NULL when that cannot be exact
       (float rounding, min/max). */
    bool (*inverse)(sql_agg_ctx *c, void *state, const sql_value *args);
};

void sql_aggs_init(void);
void sql_aggs_register(const sql_agg_def *defs, uint32_t count);
/* Every aggregate named `name`. */
typedef struct sql_agg_list {
    const sql_agg_def **items;
    uint32_t count;
} sql_agg_list;
sql_agg_list sql_aggs_lookup(const char *name);
bool sql_is_aggregate_name(const char *name);
uint32_t sql_aggs_count(void);
const sql_agg_def *sql_aggs_at(uint32_t i);

/* GROUPING(a, b): not in the registry; the AGG node computes it from a group's set (its state
 * is empty, so it splits into partial and final like any portable aggregate). */
const sql_agg_def *sql_agg_grouping(void);

/* Module registrations. */
void sql_aggs_register_std(void);
void sql_aggs_register_numeric(void);
void sql_aggs_register_vector(void);    /* avg(vector), sum(vector): sql_fn_vector.c */
void sql_aggs_register_range(void);     /* range_intersect_agg, range_agg: sql_fn_range.c */
void sql_aggs_register_ordset(void);    /* percentile_cont, percentile_disc, mode:
                                           sql_agg_ordset.c */

#endif
