/*
 * lib/crc32.h - CRC-32 (IEEE 802.3), the checksum of GPT headers and
 * partition entry arrays (UEFI 2.x section 5.3).
 *
 * Reflected polynomial 0xedb88320, initial value and final XOR 0xffffffff,
 * as in Ethernet, zlib and GPT: crc32("123456789") == 0xcbf43926.  Not to
 * be confused with CRC-32C (lib/crc32c.h), which ordofs itself uses.
 */
#ifndef ORDO_LIB_CRC32_H
#define ORDO_LIB_CRC32_H

#include "lib/types.h"

/* CRC of `len` bytes of `buf`. */
u32 crc32(const void *buf, size_t len);

/*
 * Continue a CRC over more data: crc32_update(crc32(a), b) equals the CRC
 * of a followed by b.  Start from crc32(NULL, 0) == 0.
 */
u32 crc32_update(u32 crc, const void *buf, size_t len);

#endif
