/*
 * arch/aarch64/setup.c - from head.S to kmain(), and out of the machine.
 *
 * Interface: arch_boot() (asm/boot.h), called once by head.S with the MMU
 * and caches on, BSS zeroed and SP on the kernel stack; arch_exit() and
 * arch_name() (arch/arch.h).
 *
 * arch_boot() checks the DTB pointer the boot loader passed in x0 (QEMU's
 * raw-image boot: a DTB in RAM; ELF boot: 0), makes sure the blob is mapped
 * Normal (a U-Boot may put it outside the kernel's GiB), starts the cycle
 * counter, parses the tree into the platform description (aarch64_platform:
 * GIC, timer interrupt, PSCI method, command line) and calls kmain().
 *
 * Single CPU, interrupts masked.
 */
#include "arch/arch.h"
#include "lib/dt_platform.h"
#include "lib/fdt.h"
#include "lib/printf.h"
#include <asm/boot.h>
#include <asm/io.h>
#include <asm/mmu.h>

/* Arm semihosting SYS_EXIT and its "application exit" reason. */
#define SEMIHOSTING_SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

/* PSCI 0.2+ SYSTEM_OFF (SMC32 fast call). */
#define PSCI_0_2_FN_SYSTEM_OFF 0x84000008u

/*
 * In .data rather than BSS: a trap in head.S before BSS is zeroed reaches
 * arch_exit() and reads these.
 */
unsigned aarch64_boot_el = 1;
static unsigned boot_exit_stage __attribute__((section(".data")));
const struct platform *aarch64_platform __attribute__((section(".data")));
bool aarch64_semihosting __attribute__((section(".data")));

static struct boot_info boot_info;
static struct platform boot_platform;

/*
 * The device tree blob at fdt, or NULL if it does not look like one.  The
 * header is read with byte loads: until arch_map_ram() below, the blob may
 * be in Device memory, where only aligned accesses are allowed.
 */
static const void *boot_check_fdt(u64 fdt, u32 *sizep)
{
	u32 size;

	*sizep = 0;
	if (fdt == 0)
		return NULL; /* ELF boot, or a loader without a DTB */
	size = fdt_boot_check(fdt, MMU_MAP_LIMIT, "x0");
	if (!size)
		return NULL;
	if (arch_map_ram(fdt, size) != 0) {
		kprintf("arch: cannot map the DTB at 0x%llx, ignored\n", (unsigned long long)fdt);
		return NULL;
	}
	*sizep = size;
	return (const void *)(uintptr_t)fdt;
}

/* Is `word` one of the kernel's words of `line` (those before "--")? */
static bool boot_has_word(const char *line, const char *word)
{
	size_t n = 0;

	while (word[n])
		n++;
	while (line && *line) {
		const char *w = line;

		while (*line && *line != ' ')
			line++;
		if (line - w == 2 && w[0] == '-' && w[1] == '-')
			return false; /* the application's arguments follow */
		if ((size_t)(line - w) == n) {
			size_t i = 0;

			while (i < n && w[i] == word[i])
				i++;
			if (i == n)
				return true;
		}
		while (*line == ' ')
			line++;
	}
	return false;
}

/*
 * Read the machine from the tree before anything is printed, so that the
 * console is the tree's from the first line.  A tree that does not parse
 * is left to kmain(), which says why and stops.
 */
static void boot_platform_init(const void *fdt, u32 size)
{
	if (!fdt || dt_platform_parse(fdt, size, &boot_platform))
		return;
	aarch64_platform = &boot_platform;
	console_setup(&boot_platform.console);
	aarch64_semihosting = boot_has_word(boot_platform.bootargs, "exit=semihosting");
}

__noreturn void arch_boot(u64 fdt, u64 boot_el)
{
	u32 fdt_size;

	aarch64_boot_el = (unsigned)boot_el;
	timer_init();
	boot_info.fdt = boot_check_fdt(fdt, &fdt_size);
	boot_platform_init(boot_info.fdt, fdt_size);
	boot_info.platform = aarch64_platform;
	boot_info.cmdline = NULL; /* always from the DTB's /chosen */
	kmain(&boot_info);
	arch_exit(0);
}

/*
 * How to reach PSCI: the device tree's /psci method; a tree without /psci
 * has none.  Without a tree: hvc when we were entered at EL1 (QEMU's
 * built-in PSCI for a guest), smc when we came from EL2 (PSCI at EL3), none
 * when we came from EL3 (our own monitor, el3.S, has no PSCI).
 */
static u32 boot_psci_method(void)
{
	if (aarch64_platform)
		return aarch64_platform->psci;
	if (aarch64_boot_el == 3)
		return DT_PSCI_NONE;
	return aarch64_boot_el == 2 ? DT_PSCI_SMC : DT_PSCI_HVC;
}

/*
 * Each call tries the next way out, because a way that is not available
 * traps, and the trap report calls arch_exit() again (see vectors.S):
 *   1. only if the command line says exit=semihosting: semihosting
 *      SYS_EXIT, QEMU exits with `status` (needs -semihosting; without it
 *      the hlt is an Undefined Instruction, reported as such);
 *   2. PSCI SYSTEM_OFF (boot_psci_method()): QEMU exits with 0, a board
 *      powers off;
 *   3. wfi forever, interrupts masked.
 */
__noreturn void arch_exit(int status)
{
	u32 psci;

	console_drain();
	if (boot_exit_stage == 0) {
		boot_exit_stage = 1;
		if (aarch64_semihosting) {
			/* Parameter block: {reason, subcode}; QEMU exits with subcode. */
			u64 block[2] = { ADP_STOPPED_APPLICATION_EXIT, (u64)(s64)status };

			semihosting_call(SEMIHOSTING_SYS_EXIT, block);
		}
	}
	if (boot_exit_stage == 1) {
		boot_exit_stage = 2;
		psci = boot_psci_method();
		if (psci == DT_PSCI_SMC)
			psci_call_smc(PSCI_0_2_FN_SYSTEM_OFF);
		else if (psci == DT_PSCI_HVC)
			psci_call_hvc(PSCI_0_2_FN_SYSTEM_OFF);
		kprintf("ordo: no way to power off (no PSCI%s): halted\n",
			aarch64_semihosting ? ", semihosting failed"
					    : "; exit=semihosting not given");
	}
	for (;;)
		__asm__ volatile("wfi");
}

/*
 * The thread pointer, kept here too: vectors.S borrows TPIDR_EL0 as a
 * scratch register and puts this back before the trap report runs C.
 */
void *aarch64_tls_tp;

void arch_tls_set(void *tp)
{
	aarch64_tls_tp = tp;
	__asm__ volatile("msr tpidr_el0, %0" ::"r"(tp) : "memory");
}

const char *arch_name(void)
{
	return "aarch64";
}
