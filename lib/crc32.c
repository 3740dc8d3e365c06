/*
 * lib/crc32.c - CRC-32 (IEEE 802.3), on the same slicing-by-8 engine as
 * CRC-32C (lib/crc_slice8.h), with its own 8 KiB of tables computed on
 * first use.  Single-threaded first use.
 */
#include "lib/crc32.h"
#include "lib/crc_slice8.h"

#define CRC32_POLY 0xedb88320u

static crc_slice8_table crc32_table;
static bool crc32_ready;

u32 crc32_update(u32 crc, const void *buf, size_t len)
{
	if (!crc32_ready) {
		crc_slice8_init(crc32_table, CRC32_POLY);
		crc32_ready = true;
	}
	return ~crc_slice8_update(crc32_table, ~crc, buf, len);
}

u32 crc32(const void *buf, size_t len)
{
	return crc32_update(0, buf, len);
}
