/*
 * lib/crc32c.c - CRC-32C: the CPU's instruction where the port has one
 * (arch_crc32c_raw(): ARMv8 CRC32, x86 SSE4.2), else table driven (8 KiB
 * of tables, "slicing by 8", lib/crc_slice8.h); chosen at first use.
 *
 * The tables are computed on first use from the polynomial, so there is no
 * opaque constant table to trust.  Single-threaded first use.
 */
#include "lib/crc32c.h"
#include "arch/port.h"
#include "lib/crc_slice8.h"

#define CRC32C_POLY 0x82f63b78u

static crc_slice8_table crc32c_table;
static bool crc32c_table_ready, crc32c_chosen, crc32c_hw;

u32 crc32c_sw_update(u32 crc, const void *buf, size_t len)
{
	if (!crc32c_table_ready) {
		crc_slice8_init(crc32c_table, CRC32C_POLY);
		crc32c_table_ready = true;
	}
	return ~crc_slice8_update(crc32c_table, ~crc, buf, len);
}

/* The defaults of a port without a CRC-32C instruction (arch.h). */
__attribute__((weak)) bool arch_crc32c_supported(void)
{
	return false;
}

__attribute__((weak)) u32 arch_crc32c_raw(u32 reg, const void *buf, size_t len)
{
	return ~crc32c_sw_update(~reg, buf, len);
}

u32 crc32c_update(u32 crc, const void *buf, size_t len)
{
	if (!crc32c_chosen) {
		crc32c_hw = arch_crc32c_supported();
		crc32c_chosen = true;
	}
	return crc32c_hw ? ~arch_crc32c_raw(~crc, buf, len) : crc32c_sw_update(crc, buf, len);
}

u32 crc32c(const void *buf, size_t len)
{
	return crc32c_update(0, buf, len);
}

u32 crc32c_field_zero(const void *buf, size_t len, size_t field)
{
	static const u8 zero[4];
	const u8 *p = buf;
	u32 crc = crc32c_update(crc32c(p, field), zero, sizeof(zero));

	return crc32c_update(crc, p + field + sizeof(zero), len - field - sizeof(zero));
}
