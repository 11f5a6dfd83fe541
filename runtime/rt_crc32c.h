/* rt_crc32c.h: CRC-32C (Castagnoli), the checksum of WAL records and checkpoint files.
 * Uses the SSE4.2 instruction when the CPU has it (chosen once), a table otherwise. */
#ifndef RT_CRC32C_H
#define RT_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extends `crc` (start with 0) over `len` bytes. */
uint32_t rt_crc32c(uint32_t crc, const void *data, size_t len);

#endif
