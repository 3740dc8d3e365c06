/*
 * arch/x86_64/crc32c.c - CRC-32C with SSE4.2's crc32 instruction, when
 * CPUID leaf 1 says the CPU has it (ECX bit 20; QEMU's default qemu64 CPU
 * does not, -cpu max does).  General-purpose registers only.  See arch.h.
 */
#include "arch/arch.h"

bool arch_crc32c_supported(void)
{
	u32 eax = 1, ebx, ecx = 0, edx;

	__asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
	return (ecx >> 20) & 1;
}

u32 arch_crc32c_raw(u32 reg, const void *buf, size_t len)
{
	const u8 *p = buf;
	u64 r = reg;

	for (; len && ((uintptr_t)p & 7); len--, p++)
		__asm__("crc32b %1, %k0" : "+r"(r) : "rm"(*p));
	/* Four words a step: the loop's own instructions count too. */
	for (; len >= 32; len -= 32, p += 32) {
		const u64 *w = (const u64 *)(const void *)p;

		__asm__("crc32q %1, %0\n\tcrc32q %2, %0\n\tcrc32q %3, %0\n\tcrc32q %4, %0"
			: "+r"(r)
			: "m"(w[0]), "m"(w[1]), "m"(w[2]), "m"(w[3]));
	}
	for (; len >= 8; len -= 8, p += 8)
		__asm__("crc32q %1, %0" : "+r"(r) : "rm"(*(const u64 *)(const void *)p));
	for (; len; len--, p++)
		__asm__("crc32b %1, %k0" : "+r"(r) : "rm"(*p));
	return (u32)r;
}
