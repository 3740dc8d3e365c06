/*
 * arch/aarch64/include/asm/boot.h - private interfaces between the files of
 * arch/aarch64/ (start-up, timer, firmware calls) and the symbols that
 * linker/aarch64.ld defines.  Nothing outside arch/aarch64/ includes it.
 */
#ifndef ORDO_ASM_BOOT_H
#define ORDO_ASM_BOOT_H

#include <asm/sysreg.h>

/*
 * QEMU virt's PL011: the console until the device tree is read, and after
 * if the tree names none (/chosen stdout-path, console.c); head.S's early
 * error messages, which come before any tree is read, use it too.
 */
#define PL011_BASE _UL(0x09000000)

#ifndef __ASSEMBLER__
#include "lib/types.h"

#include "arch/generic/sections.h"

/* This port's own linker script symbols: the trap stack, the guard page. */
extern char __trap_stack_bottom[], __trap_stack_top[];
extern char __stack_guard[]; /* unmapped page under __stack_bottom */

/*
 * C entry from head.S, MMU and caches on, BSS zeroed, on the kernel stack.
 * fdt is x0 as the boot loader passed it (unchecked); boot_el is 1, 2 or 3
 * (3: head.S owned EL3, set it up and dropped to EL2 or EL1 non-secure).
 */
__noreturn void arch_boot(u64 fdt, u64 boot_el);

/* Exception level the kernel was entered at (1, 2 or 3), set by arch_boot(). */
extern unsigned aarch64_boot_el;

struct platform;
struct dt_console;

/*
 * The machine as parsed from the boot loader's device tree (setup.c), or
 * NULL without a usable tree: every user then falls back to its default
 * (QEMU virt's).  Set before kmain() and never changed afterwards.
 */
extern const struct platform *aarch64_platform;

/* The kernel command line asked for exit=semihosting (setup.c). */
extern bool aarch64_semihosting;

/* console.c: switch to the tree's console; wait until all is sent. */
void console_setup(const struct dt_console *c);
void console_drain(void);

/* Start the PMU cycle counter if there is one (timer.c). */
void timer_init(void);

/*
 * firmware.S.  semihosting_call() issues an Arm semihosting request (hlt
 * #0xf000, op in x0, parameter block pointer in x1) and returns x0; it takes
 * an Undefined Instruction exception if the host is not listening (QEMU
 * without -semihosting).  psci_call_hvc/_smc() issue an SMCCC fast call
 * with function id fn (no arguments) and return x0.
 */
u64 semihosting_call(u64 op, const void *arg);
extern char semihosting_hlt[]; /* address of the hlt, for the trap report */
u64 psci_call_hvc(u64 fn);
u64 psci_call_smc(u64 fn);
/* An SMCCC fast call with two arguments, through smc (firmware.S). */
u64 smccc_smc(u64 fn, u64 a1, u64 a2, u64 a3);

/*
 * When we were entered at EL3 (aarch64_boot_el == 3): ask our own monitor
 * (el3.S) to put every GIC interrupt in Group 1 non-secure.  gicd: the
 * distributor; rd: the GICv3 redistributor of this CPU, 0 for a GICv2;
 * gicc: the GICv2 CPU interface, 0 for a GICv3.
 */
static inline void el3_gic_nonsecure(uintptr_t gicd, uintptr_t rd, uintptr_t gicc)
{
	if (aarch64_boot_el == 3)
		smccc_smc(ORDO_SMC_GIC_NONSECURE, gicd, rd, gicc);
}

#endif /* !__ASSEMBLER__ */
#endif
