/* sql_fn_regex_int.h: private header of the regular expression module: the rewrite of
 * PostgreSQL's ARE into POSIX ERE (sql_fn_regex.c) and its compilation, cache and matching
 * (sql_fn_recache.c). Everything else uses sql_fn_string_int.h's sql_re_* functions.
 * Memory: a rewrite lives in the caller's arena; compiled patterns in the thread's cache. */
#ifndef SQL_FN_REGEX_INT_H
#define SQL_FN_REGEX_INT_H

#include <regex.h>

#include "sql/sql_fn_string_int.h"

#define SQL_RE_MAX_CP 0x10FFFFu
#define SQL_RE_PATTERN_GROUPS_MAX 4096   /* groups of a rewritten pattern ('.' takes one) */

/* The plain rewrite, or the wrappings non-greedy matching needs: "(RE)(.+)\'" and
 * "(RE)(.)\'" (the RE's groups then count from 2). */
typedef enum sql_re_variant { RE_PLAIN, RE_WITHIN, RE_EXACT } sql_re_variant;

/* One element of the RE's top-level sequence: an atom with its quantifier, or a constraint. */
typedef struct sql_re_item {
    uint32_t start;        /* offset in the rewritten pattern */
    uint32_t group_base;   /* groups of the rewritten pattern before it */
    uint8_t attr;          /* its greediness: 0 none, 1 greedy, 2 non-greedy */
} sql_re_item;

typedef struct sql_re_rewritten {
    const char *ere;            /* NUL-terminated, in the arena */
    uint32_t ere_len;
    uint32_t opts;              /* with the embedded options applied */
    uint32_t captures;          /* PostgreSQL's capturing groups */
    bool nongreedy;             /* the RE as a whole prefers the shortest match */
    bool anchored_end;          /* it must end at the end of the string ($ or \\Z last) */
    bool sequence;              /* no top-level |, no back references, a non-greedy quantifier
                                   and captures: captures are placed item by item */
    sql_re_item *items;         /* the top-level sequence (RE_PLAIN only) */
    uint32_t nitems;
    const char *error;          /* PostgreSQL's reason ("invalid regular expression: " it) */
    bool unsupported;           /* error is a 0A000 message instead */
} sql_re_rewritten;

/* Rewrites pattern `pat` under `opts`; map[k] gets the group of capture k. False with
 * out->error set (or 53200 when the arena is exhausted: error "out of memory"). */
bool sql_re_rewrite_pattern(rt_arena *arena, sql_bytes pat, uint32_t opts,
                            sql_re_variant variant, uint16_t *map, sql_re_rewritten *out);

/* Any one character (a group of its own), as the rewrite writes '.' outside newline modes. */
extern const char SQL_RE_ANY_CHAR[];

struct sql_regex {
    regex_t compiled;
    regex_t within;             /* non-greedy: (RE)(.+)\' - RE ends before the last character */
    regex_t exact;              /* non-greedy: (RE)(.)\' - RE ends right before it */
    uint32_t captures;          /* PostgreSQL's capturing groups */
    uint32_t nmatch;            /* regmatch_t entries the captures need */
    bool nongreedy;
    bool anchored_end;          /* then the shortest match is the longest one */
    uint16_t map[SQL_RE_GROUPS_MAX + 1];  /* capture k -> group of the compiled pattern */
    /* Items of a top-level sequence (sql_re_rewritten.sequence), each compiled alone and
     * from it to the end, as "(X)(.)\'" (mid: text follows) and "(X)\'" (at the end), and
     * each item as it is (plain: its longest match). */
    uint32_t nitems;
    sql_re_item *items;
    regex_t *item_mid, *item_end, *rest_mid, *rest_end, *item_plain;
};

#endif
