/*
 * lib/fdt_boot.c - fdt_boot_check(), the ports' first look at the DTB a
 * boot loader passed (see lib/fdt.h).  Apart from the parser, which never
 * prints.
 */
#include "lib/fdt.h"
#include "lib/le.h"
#include "lib/printf.h"

u32 fdt_boot_check(u64 addr, u64 limit, const char *reg)
{
	const u8 *hdr = (const u8 *)(uintptr_t)addr;
	u32 magic, size;

	if (addr == 0) {
		kprintf("arch: %s=0: the boot loader passed no DTB\n", reg);
		return 0;
	}
	if (addr % 8 || limit < FDT_BOOT_MIN_SIZE || addr > limit - FDT_BOOT_MIN_SIZE) {
		kprintf("arch: %s=0x%llx cannot be a DTB (alignment or range), ignored\n", reg,
			(unsigned long long)addr);
		return 0;
	}
	magic = be32_load(hdr);
	size = be32_load(hdr + 4);
	if (magic != FDT_MAGIC || size < FDT_BOOT_MIN_SIZE || size > FDT_BOOT_MAX_SIZE) {
		kprintf("arch: no DTB at 0x%llx (magic 0x%x, size %u), ignored\n",
			(unsigned long long)addr, magic, size);
		return 0;
	}
	return size;
}
