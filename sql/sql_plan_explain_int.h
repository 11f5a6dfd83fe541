/* sql_plan_explain_int.h: the structured form of an EXPLAIN, shared by the plan walker
 * (sql_plan_explain.c) and the JSON / YAML / XML writers (sql_plan_explain_fmt.c).
 * Owns:    nothing beyond the arena it is given; every node and field lives there.
 * Memory:  all from `arena`; an allocation failure sets `failed` and later calls do nothing.
 * Errors:  none of its own: the caller reports a failed tree as out of memory (53200). */
#ifndef SQL_PLAN_EXPLAIN_INT_H
#define SQL_PLAN_EXPLAIN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_mem.h"
#include "sql/sql_plan.h"
#include "sql/sql_strbuf.h"

typedef enum sql_xval_kind {
    SQL_XVAL_STR,   /* quoted in JSON and YAML */
    SQL_XVAL_RAW,   /* numbers and booleans: never quoted */
    SQL_XVAL_LIST,  /* a list of strings ("Sort Key", "Group Key") */
} sql_xval_kind;

typedef struct sql_xfield {
    const char *key;               /* "Relation Name"; XML turns spaces into '-' */
    const char *text;              /* STR / RAW */
    const char **items;            /* LIST */
    uint32_t nitems;
    sql_xval_kind kind;
    bool early;                    /* shown before "Parent Relationship", as PostgreSQL shows
                                      Strategy, Partial Mode and Operation */
    struct sql_xfield *next;
} sql_xfield;

typedef struct sql_xnode {
    const char *type;              /* "Node Type" */
    const char *relationship;      /* "Outer", "Inner", "Member", "SubPlan"; NULL at the top */
    const char *subplan_name;      /* "SubPlan 1" */
    sql_xfield *fields, *fields_last;
    struct sql_xnode *parent, *children, *children_last, *next;
} sql_xnode;

typedef struct sql_xtree {
    rt_arena *arena;
    sql_xnode *root, *cur;
    const char *next_rel, *next_name; /* how the next node begun relates to the current one */
    bool failed;
} sql_xtree;

/* Begins a child node of the current one (the root first) and makes it current. */
void sql_xtree_begin(sql_xtree *t, const char *type);
/* Ends the current node: its parent is current again. */
void sql_xtree_end(sql_xtree *t);
/* A field of the current node; `text` is copied. */
void sql_xtree_field(sql_xtree *t, const char *key, const char *text, sql_xval_kind kind,
                     bool early);
/* A list field of the current node; the items are copied. */
void sql_xtree_list(sql_xtree *t, const char *key, const char *const *items, uint32_t n);

/* The whole document: the plan, the planning time, with `analyze` the (empty) triggers and
 * the execution time (a time < 0 is not shown: SUMMARY OFF), in EXPLAIN's FORMAT JSON, YAML
 * or XML layout of PostgreSQL. */
void sql_xtree_render(const sql_xtree *t, sql_explain_format format, bool analyze,
                      const sql_explain_times *times, sql_strbuf *sb);

#endif
