/* index_hook.h: holds a CONCURRENTLY index command at sql_ddl_index_build_hook until the test
 * lets it go (hook_arm, hook_wait for it to get there, hook_release = true), so what the test
 * runs meanwhile runs while the command is in progress, with no timing involved. For
 * test_sql_index_concurrently.c and test_sql_reindex.c (after sql_session_harness.h). */
#ifndef TESTS_SQL_INDEX_HOOK_H
#define TESTS_SQL_INDEX_HOOK_H

#include "sql/sql_ddl.h"

static bool hook_reached, hook_release;

static void build_hook(uint32_t index_oid) {
    (void)index_oid;
    hook_reached = true;
    while (!hook_release) rt_fiber_sleep_ns(RT_NS_PER_MS);
}

static void hook_wait(void) {
    for (uint32_t i = 0; i < 20000 && !hook_reached; i++) rt_fiber_sleep_ns(RT_NS_PER_MS);
    TEST_CHECK(hook_reached);
}

static void hook_arm(void) {
    hook_reached = false;
    hook_release = false;
    sql_ddl_index_build_hook = build_hook;
}

#endif
