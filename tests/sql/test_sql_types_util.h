/* test_sql_types_util.h: the set-up of the tests of one type's registration
 * (test_sql_types_bit.c, test_sql_types_inet.c, test_sql_types_record.c): the type registry,
 * one arena, an error and an I/O context over them as the wire layer builds it, and text input
 * of a value that must succeed. Include after cmocka.h. */
#ifndef TEST_SQL_TYPES_UTIL_H
#define TEST_SQL_TYPES_UTIL_H

#include <string.h>

#include "sql/sql_types.h"

static rt_arena *arena;
static rt_err err;
static sql_io_ctx io;

static int setup(void **state) {
    (void)state;
    sql_types_init();
    arena = rt_arena_create(1u << 20);
    io = (sql_io_ctx){.arena = arena, .err = &err};
    return 0;
}

static int teardown(void **state) {
    (void)state;
    rt_arena_destroy(arena);
    return 0;
}

/* `text` read as a value of `type` with `typmod` (-1: none). */
static inline sql_value in_as(uint32_t type, const char *text, int32_t typmod) {
    sql_value v = {.type_oid = type};
    rt_err_clear(&err);
    assert_true(sql_value_in(&io, type, text, (uint32_t)strlen(text), typmod, &v));
    return v;
}

#endif
