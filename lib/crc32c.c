/*
 * lib/crc32c.c - CRC-32C, table driven (8 KiB of tables, "slicing by 8").
 *
 * The tables are computed on first use from the polynomial, so there is no
 * opaque constant table to trust.  Single-threaded first use.
 */
#include "lib/crc32c.h"

#define CRC32C_POLY 0x82f63b78u

static u32 crc32c_table[8][256];
static bool crc32c_ready;

static void crc32c_init(void)
{
	for (u32 i = 0; i < 256; i++) {
		u32 c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ CRC32C_POLY : c >> 1;
		crc32c_table[0][i] = c;
	}
	for (u32 i = 0; i < 256; i++) {
		for (int t = 1; t < 8; t++) {
			u32 prev = crc32c_table[t - 1][i];

			crc32c_table[t][i] = (prev >> 8) ^ crc32c_table[0][prev & 0xff];
		}
	}
	crc32c_ready = true;
}

/* Raw register update (no pre/post inversion). */
static u32 crc32c_raw(u32 c, const u8 *p, size_t len)
{
	/* Bytes until 8-byte alignment, then 8 at a time, then the rest. */
	while (len && ((uintptr_t)p & 7)) {
		c = (c >> 8) ^ crc32c_table[0][(c ^ *p++) & 0xff];
		len--;
	}
	while (len >= 8) {
		u32 lo = c ^ ((u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24);
		u32 hi = (u32)p[4] | (u32)p[5] << 8 | (u32)p[6] << 16 | (u32)p[7] << 24;

		c = crc32c_table[7][lo & 0xff] ^ crc32c_table[6][(lo >> 8) & 0xff] ^
		    crc32c_table[5][(lo >> 16) & 0xff] ^ crc32c_table[4][lo >> 24] ^
		    crc32c_table[3][hi & 0xff] ^ crc32c_table[2][(hi >> 8) & 0xff] ^
		    crc32c_table[1][(hi >> 16) & 0xff] ^ crc32c_table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		c = (c >> 8) ^ crc32c_table[0][(c ^ *p++) & 0xff];
	return c;
}

u32 crc32c_update(u32 crc, const void *buf, size_t len)
{
	if (!crc32c_ready)
		crc32c_init();
	return ~crc32c_raw(~crc, buf, len);
}

u32 crc32c(const void *buf, size_t len)
{
	return crc32c_update(0, buf, len);
}
