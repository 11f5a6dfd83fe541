/* rt_crc32c.c: CRC-32C with a hardware path (SSE4.2 crc32 instruction, 8 bytes a step) and a
 * byte-table fallback; both produce identical results (tested). */
#include "runtime/rt_crc32c.h"

#include <stdbool.h>
#include <string.h>

static uint32_t rt_crc32c_table[256];
static bool rt_crc32c_table_ready;

static void rt_crc32c_init_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        rt_crc32c_table[i] = c;
    }
    rt_crc32c_table_ready = true;
}

static uint32_t rt_crc32c_soft(uint32_t crc, const uint8_t *p, size_t len) {
    if (!rt_crc32c_table_ready) rt_crc32c_init_table();
    crc = ~crc;
    while (len-- > 0) crc = rt_crc32c_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

__attribute__((target("sse4.2"))) static uint32_t rt_crc32c_hw(uint32_t crc, const uint8_t *p,
                                                               size_t len) {
    uint64_t c = ~crc;
    while (len >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
        p += 8;
        len -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (len-- > 0) c32 = __builtin_ia32_crc32qi(c32, *p++);
    return ~c32;
}

uint32_t rt_crc32c(uint32_t crc, const void *data, size_t len) {
    static int hw = -1;
    if (hw < 0) hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    return hw ? rt_crc32c_hw(crc, data, len) : rt_crc32c_soft(crc, data, len);
}
