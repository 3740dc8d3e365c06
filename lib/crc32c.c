/*
 * lib/crc32c.c - CRC-32C, table driven (8 KiB of tables, "slicing by 8",
 * lib/crc_slice8.h).
 *
 * The tables are computed on first use from the polynomial, so there is no
 * opaque constant table to trust.  Single-threaded first use.
 */
#include "lib/crc32c.h"
#include "lib/crc_slice8.h"

#define CRC32C_POLY 0x82f63b78u

static crc_slice8_table crc32c_table;
static bool crc32c_ready;

u32 crc32c_update(u32 crc, const void *buf, size_t len)
{
	if (!crc32c_ready) {
		crc_slice8_init(crc32c_table, CRC32C_POLY);
		crc32c_ready = true;
	}
	return ~crc_slice8_update(crc32c_table, ~crc, buf, len);
}

u32 crc32c(const void *buf, size_t len)
{
	return crc32c_update(0, buf, len);
}
