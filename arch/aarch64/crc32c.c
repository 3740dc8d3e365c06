/*
 * arch/aarch64/crc32c.c - CRC-32C with the ARMv8 CRC32 instructions
 * (optional in ARMv8.0, mandatory from 8.1; QEMU's cortex-a53 and max have
 * them), when ID_AA64ISAR0_EL1.CRC32 says so.  See arch.h.
 */
#include "arch/arch.h"
#include <asm/sysreg.h>

bool arch_crc32c_supported(void)
{
	return ((read_sysreg(id_aa64isar0_el1) >> 16) & 0xf) != 0;
}

u32 arch_crc32c_raw(u32 reg, const void *buf, size_t len)
{
	const u8 *p = buf;

	for (; len && ((uintptr_t)p & 7); len--, p++)
		__asm__(".arch_extension crc\n\tcrc32cb %w0, %w0, %w1" : "+r"(reg) : "r"((u32)*p));
	/* Four words a step: the loop's own instructions count too. */
	for (; len >= 32; len -= 32, p += 32) {
		const u64 *w = (const u64 *)(const void *)p;

		__asm__(".arch_extension crc\n\t"
			"crc32cx %w0, %w0, %x1\n\tcrc32cx %w0, %w0, %x2\n\t"
			"crc32cx %w0, %w0, %x3\n\tcrc32cx %w0, %w0, %x4"
			: "+r"(reg)
			: "r"(w[0]), "r"(w[1]), "r"(w[2]), "r"(w[3]));
	}
	for (; len >= 8; len -= 8, p += 8)
		__asm__(".arch_extension crc\n\tcrc32cx %w0, %w0, %x1"
			: "+r"(reg)
			: "r"(*(const u64 *)(const void *)p));
	for (; len; len--, p++)
		__asm__(".arch_extension crc\n\tcrc32cb %w0, %w0, %w1" : "+r"(reg) : "r"((u32)*p));
	return reg;
}
