/*
 * lib/crc32c.h - CRC-32C (Castagnoli), the checksum of every on-disk
 * metadata block and journal record.
 *
 * Reflected polynomial 0x82f63b78, initial value and final XOR 0xffffffff,
 * as in iSCSI, ext4 and btrfs: crc32c("123456789") == 0xe3069283.
 */
#ifndef ORDO_LIB_CRC32C_H
#define ORDO_LIB_CRC32C_H

#include "lib/types.h"

/* CRC of `len` bytes of `buf`. */
u32 crc32c(const void *buf, size_t len);

/*
 * Continue a CRC over more data: crc32c_update(crc32c(a), b) equals the
 * CRC of a followed by b.  Start from crc32c(NULL, 0) == 0.
 */
u32 crc32c_update(u32 crc, const void *buf, size_t len);

/*
 * CRC of `len` bytes of `buf` as if the 4-byte field at offset `field`
 * (field + 4 <= len) held zeros: how a record checksums itself when its
 * own crc field sits inside what the crc covers.
 */
u32 crc32c_field_zero(const void *buf, size_t len, size_t field);

/* crc32c_update() by the tables alone, whatever the CPU has: the reference
 * the instruction paths are checked against (KTAP, host tests). */
u32 crc32c_sw_update(u32 crc, const void *buf, size_t len);

#endif
