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
	for (; len >= 8; len -= 8, p += 8)
		__asm__("crc32q %1, %0" : "+r"(r) : "rm"(*(const u64 *)(const void *)p));
	for (; len; len--, p++)
		__asm__("crc32b %1, %k0" : "+r"(r) : "rm"(*p));
	return (u32)r;
}
