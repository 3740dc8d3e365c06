/*
 * lib/crc_slice8.h - the table-driven engine shared by the reflected
 * CRC-32 variants (lib/crc32c.c: Castagnoli; lib/crc32.c: IEEE 802.3).
 *
 * Interface: each user owns one `u32 table[8][256]`, fills it once with
 * crc_slice8_init() from its reflected polynomial, and runs the raw register
 * through crc_slice8_update() (no pre/post inversion: the caller does that).
 * Both are static inline, so each CRC gets its own copy with its table's
 * address folded in: sharing the code costs crc32c nothing.
 *
 * "Slicing by 8": eight tables, so eight input bytes are folded into the
 * register with eight independent lookups instead of eight dependent ones.
 * Table t maps a byte b to the CRC of b followed by t zero bytes.
 */
#ifndef ORDO_LIB_CRC_SLICE8_H
#define ORDO_LIB_CRC_SLICE8_H

#include "lib/types.h"

typedef u32 crc_slice8_table[8][256];

static inline void crc_slice8_init(crc_slice8_table t, u32 poly)
{
	for (u32 i = 0; i < 256; i++) {
		u32 c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ poly : c >> 1;
		t[0][i] = c;
	}
	for (u32 i = 0; i < 256; i++) {
		for (int s = 1; s < 8; s++) {
			u32 prev = t[s - 1][i];

			t[s][i] = (prev >> 8) ^ t[0][prev & 0xff];
		}
	}
}

/* Raw register update over `len` bytes at `p`. */
static inline u32 crc_slice8_update(const crc_slice8_table t, u32 c, const u8 *p, size_t len)
{
	/* Bytes until 8-byte alignment, then 8 at a time, then the rest. */
	while (len && ((uintptr_t)p & 7)) {
		c = (c >> 8) ^ t[0][(c ^ *p++) & 0xff];
		len--;
	}
	while (len >= 8) {
		u32 lo = c ^ ((u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24);
		u32 hi = (u32)p[4] | (u32)p[5] << 8 | (u32)p[6] << 16 | (u32)p[7] << 24;

		c = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^
		    t[4][lo >> 24] ^ t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^
		    t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		c = (c >> 8) ^ t[0][(c ^ *p++) & 0xff];
	return c;
}

#endif
