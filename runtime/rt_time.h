/* rt_time.h: clocks. Monotonic nanoseconds for timers and measurements; the calling thread's
 * CPU nanoseconds for measuring work (a preempted thread's wait is not counted: figures the
 * planner learns from stay true on a loaded machine); wall-clock microseconds since the Unix
 * epoch for timestamps users see. */
#ifndef RT_TIME_H
#define RT_TIME_H

#include <stdint.h>
#include <time.h>

static inline uint64_t rt_time_mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t rt_time_thread_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline int64_t rt_time_wall_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#define RT_NS_PER_US 1000ull
#define RT_NS_PER_MS 1000000ull
#define RT_NS_PER_S 1000000000ull

#endif
