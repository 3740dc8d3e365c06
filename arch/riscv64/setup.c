/*
 * arch/riscv64/setup.c - from head.S to kmain(), the memory map, and out of
 * the machine.
 *
 * Interface: riscv_boot() (asm/boot.h), called once by head.S with BSS
 * zeroed, sp on the kernel stack and traps vectored to the report;
 * arch_exit() and arch_name() (arch/arch.h).
 *
 * riscv_boot() checks the DTB pointer the SBI firmware passed in a1 (OpenSBI
 * hands on QEMU's blob, which QEMU puts near the top of the first 3 GiB of
 * RAM), parses it (console, power-off, the PLIC context and the IMSIC file
 * of the boot hart a0), reads the timebase from it and calls kmain().  The
 * boot words selftest.imsic and selftest.aplic test the IMSIC (imsic.c)
 * and the APLIC (aplic.c) first and exit with 1 if one fails.
 *
 * Memory: mmu.c's identity map (for the stack guard) and arch_map_ram().
 * The firmware's PMP (privileged spec 3.7) keeps S-mode out of its own
 * RAM; kmain() never hands that to the allocator since it lies below the
 * kernel image (0x80000000..0x80200000 on QEMU virt).
 *
 * Single hart, interrupts masked (sstatus.SIE = 0).
 */
#include "arch/arch.h"
#include "lib/dt_platform.h"
#include "lib/errno.h"
#include "lib/fdt.h"
#include "lib/printf.h"
#include "lib/string.h"
#include <asm/boot.h>
#include <asm/io.h>

/*
 * Largest physical address + 1 the kernel may be asked to use: RV64
 * physical addresses have at most 56 bits (Sv57's PPN, privileged spec
 * 4.5 / 4.6); nothing a DTB describes can lie above.
 */
#define BOOT_PHYS_LIMIT (1ull << 56)

/*
 * In .data rather than BSS: a trap in head.S before BSS is zeroed reaches
 * arch_exit() and reads these.
 */
u64 riscv_boot_hartid __attribute__((section(".data")));
static unsigned boot_exit_attempts __attribute__((section(".data")));

static struct boot_info boot_info;
static struct platform boot_platform;

/* Where arch_exit() powers off: the tree's device, QEMU virt's without. */
static struct dt_poweroff boot_poweroff = { DT_POWEROFF_SIFIVE_TEST, SIFIVE_TEST_BASE, 0, 0 };

/* The device tree blob at fdt, or NULL if it does not look like one. */
static const void *boot_check_fdt(u64 fdt, size_t *sizep)
{
	*sizep = fdt_boot_check(fdt, BOOT_PHYS_LIMIT, "a1");
	return *sizep ? (const void *)(uintptr_t)fdt : NULL;
}

/*
 * Is `word` one of the blank-separated words of `args` (NULL: none)?  For
 * selftest.imsic and selftest.aplic, which run before kmain() reads the
 * command line.
 */
static bool boot_has_word(const char *args, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = args; p && *p;) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, word, n) && (p[n] == ' ' || p[n] == '\0'))
			return true;
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

__noreturn void riscv_boot(u64 hartid, u64 fdt)
{
	size_t fdt_size = 0;

	riscv_boot_hartid = hartid;
	boot_info.fdt = boot_check_fdt(fdt, &fdt_size);
	/*
	 * Read the machine before anything is printed, so that the console
	 * is the tree's from the first line.  A tree that does not parse is
	 * left to kmain(), which says why and stops.
	 */
	if (boot_info.fdt && !dt_platform_parse(boot_info.fdt, fdt_size, &boot_platform)) {
		boot_info.platform = &boot_platform;
		uart_setup(&boot_platform.console);
		if (boot_platform.poweroff.kind != DT_POWEROFF_NONE)
			boot_poweroff = boot_platform.poweroff;
	}
	boot_info.cmdline = NULL; /* always from the DTB's /chosen */
	timer_init(boot_info.fdt, fdt_size);
	if (boot_info.platform) {
		imsic_setup(&boot_platform.msi);
		/*
		 * The test waits through arch_wait_irq(), which must know the
		 * wired controller first (kmain() setting it again is
		 * harmless: plic.c only records it).
		 */
		if (boot_has_word(boot_platform.bootargs, "selftest.imsic")) {
			arch_irq_setup(&boot_platform.intc);
			if (imsic_selftest())
				arch_exit(1);
		}
		if (boot_has_word(boot_platform.bootargs, "selftest.aplic")) {
			arch_irq_setup(&boot_platform.intc);
			if (aplic_selftest())
				arch_exit(1);
		}
	}
	kmain(&boot_info);
	arch_exit(0);
}

/*
 * Each call tries the next way out, because a way that is not available
 * may trap, and the trap report calls arch_exit() again (see entry.S):
 *   1. the tree's power-off register: a sifive,test0 finisher makes QEMU
 *      exit with `status` (0x5555 for 0, status << 16 | 0x3333 otherwise:
 *      QEMU calls exit() with the upper 16 bits, of which the host sees
 *      the low 8); a syscon-poweroff gets its value, whatever `status`;
 *   2. SBI system reset (SRST), or the v0.1 shutdown call: a board powers
 *      off; OpenSBI on QEMU virt writes the finisher's PASS, so QEMU exits
 *      with 0 whatever `status` was;
 *   3. wfi forever, interrupts masked.
 */
__noreturn void arch_exit(int status)
{
	unsigned attempt = boot_exit_attempts++;

	uart_drain();
	if (attempt == 0 && boot_poweroff.kind == DT_POWEROFF_SIFIVE_TEST) {
		/*
		 * The host sees the low 8 bits of the status: keep a failure
		 * (256, say) from reading as success there.
		 */
		u32 code = (u32)status & 0xff;

		if (status != 0 && code == 0)
			code = 1;
		writel(boot_poweroff.base,
		       code == 0 ? SIFIVE_TEST_PASS : code << 16 | SIFIVE_TEST_FAIL);
	} else if (attempt == 0 && boot_poweroff.kind == DT_POWEROFF_SYSCON) {
		uintptr_t reg = (uintptr_t)boot_poweroff.base;

		writel(reg, (readl(reg) & ~boot_poweroff.mask) |
				    (boot_poweroff.value & boot_poweroff.mask));
	}
	if (attempt <= 1)
		sbi_shutdown(status != 0);
	for (;;)
		__asm__ volatile("wfi");
}

/* tp is ours alone: the trap path never changes it. */
void arch_tls_set(void *tp)
{
	__asm__ volatile("mv tp, %0" ::"r"(tp) : "memory");
}

const char *arch_name(void)
{
	return "riscv64";
}
