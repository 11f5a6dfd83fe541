/* rt_assert.h: assertions.
 * RT_ASSERT(c):  always on, release builds included; logs core and backtrace, then abort().
 * RT_VERIFY(c):  O(n) consistency checks, compiled only with DB_VERIFY=1 (tests, fuzzing).
 * RT_STATIC_ASSERT(c): relations between constants, checked by the compiler.
 * A bug is an assert; input we do not trust (wire bytes, SQL text, files read back) is never
 * asserted but validated into an rt_err. */
#ifndef RT_ASSERT_H
#define RT_ASSERT_H

#define RT_STATIC_ASSERT(c) _Static_assert(c, #c)

_Noreturn void rt_assert_fail(const char *expr, const char *file, int line);

#define RT_ASSERT(c)                                                                        \
    do {                                                                                    \
        if (__builtin_expect(!(c), 0)) rt_assert_fail(#c, __FILE__, __LINE__);              \
    } while (0)

#ifdef DB_VERIFY
#define RT_VERIFY(c) RT_ASSERT(c)
#else
#define RT_VERIFY(c) ((void)0)
#endif

#define RT_UNREACHABLE() rt_assert_fail("unreachable", __FILE__, __LINE__)

#define RT_LIKELY(c) __builtin_expect(!!(c), 1)
#define RT_UNLIKELY(c) __builtin_expect(!!(c), 0)

#endif
